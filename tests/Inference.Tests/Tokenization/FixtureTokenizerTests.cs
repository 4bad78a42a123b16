using Chat.Inference.Tokenization;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Tokenization;

/// <summary>
/// The two conformance fixtures' tokenizers: tiny-random-llama (SentencePiece BPE with byte fallback)
/// and tiny-random-gpt2 (byte-level BPE). Expected ids were read off their tokenizer.json by hand
/// (vocab entries and merges) and agree with the Hugging Face tokenizers' output.
/// </summary>
public sealed class FixtureTokenizerTests
{
    public static readonly string[] RoundTripTexts =
    [
        "Hello world",
        "Hello, world! How are you?",
        "héllo wörld 日本語 🎉",
        "Ünïcödé çàfé naïve résumé",
        "中文测试，这是一个句子。",
        "emoji 👍🏽 family 👨‍👩‍👧",
        "e\u0301 vs \u00e9",
        "  leading and   multiple   spaces  ",
        "line1\nline2\n\n  indented\ttab\r\n",
        "    def foo():\n        return 1",
        "don't I'll we've THEY'RE 12345 3.14159",
        " ",
        "x",
    ];

    private static ITokenizer Llama => TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-llama-fp16"));

    private static ITokenizer Gpt2 => TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-gpt2-fp32"));

    [GenAiFixtureFact]
    public void Both_fixtures_load_with_their_special_tokens()
    {
        var llama = Llama;
        var gpt2 = Gpt2;

        Assert.Equal((32000, 1, 2), (llama.VocabSize, llama.BosTokenId, llama.EosTokenId));
        Assert.Equal((50295, 50256, 50256), (gpt2.VocabSize, gpt2.BosTokenId, gpt2.EosTokenId));
        Assert.Equal("▁Hello", llama.IdToToken(15043));
        Assert.Equal(50256, gpt2.TokenToId("<|endoftext|>"));
        Assert.Null(gpt2.IdToToken(50295));
        Assert.Null(llama.TokenToId("not-a-token"));
    }

    [GenAiFixtureFact]
    public void Llama_encodes_simple_words_to_their_vocab_ids()
    {
        // "▁Hello" = 15043 and "▁world" = 3186 in model.vocab; "!" = 29991. Normalization prepends "▁".
        Assert.Equal([15043, 3186, 29991], Llama.Encode("Hello world!"));
        Assert.Equal([1, 15043, 3186], Llama.Encode("Hello world", addSpecialTokens: true));
    }

    [GenAiFixtureFact]
    public void Gpt2_encodes_simple_words_to_their_vocab_ids_and_adds_nothing()
    {
        // "Hello" = 15496, "Ġworld" = 995 (Ġ is the byte-level space), "!" = 0; no BOS for GPT-2.
        Assert.Equal([15496, 995, 0], Gpt2.Encode("Hello world!"));
        Assert.Equal([15496, 995], Gpt2.Encode("Hello world", addSpecialTokens: true));
    }

    [GenAiFixtureFact]
    public void Special_tokens_in_text_become_their_ids()
    {
        Assert.Equal([1, 1, 6324, 2], Llama.Encode("<s>Hi</s>", addSpecialTokens: true));
        Assert.Equal([50256, 17250, 50256], Gpt2.Encode("<|endoftext|>Hi<|endoftext|>"));
    }

    [GenAiFixtureFact]
    public void Byte_fallback_spells_unknown_characters_in_bytes_and_decodes_them_intact()
    {
        var llama = Llama;

        // 🎉 is not in the vocabulary: F0 9F 8E 89 become <0xF0> <0x9F> <0x8E> <0x89> (ids 243 162 145 140) after "▁" (29871).
        var ids = llama.Encode("🎉");

        Assert.Equal([29871, 243, 162, 145, 140], ids);
        Assert.Equal("<0xF0>", llama.IdToToken(243));
        Assert.Equal("🎉", llama.Decode(ids));
    }

    [GenAiFixtureFact]
    public void Decode_skips_or_keeps_special_tokens()
    {
        var llama = Llama;
        var ids = llama.Encode("Hello world", addSpecialTokens: true);

        Assert.Equal("Hello world", llama.Decode(ids));
        Assert.Equal("<s> Hello world", llama.Decode(ids, skipSpecialTokens: false));
        Assert.Equal("<|endoftext|>Hi", Gpt2.Decode([50256, 17250], skipSpecialTokens: false));
        Assert.Equal("Hi", Gpt2.Decode([50256, 17250]));
    }

    [GenAiFixtureFact]
    public void Both_tokenizers_round_trip_varied_text()
    {
        foreach (var tokenizer in new[] { Llama, Gpt2 })
        {
            foreach (var text in RoundTripTexts)
            {
                Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text)));
            }
        }
    }

    [GenAiFixtureFact]
    public void Concurrent_encoding_gives_the_same_ids_as_sequential_encoding()
    {
        var gpt2 = Gpt2;
        var expected = RoundTripTexts.Select(t => gpt2.Encode(t)).ToArray();

        Parallel.For(0, 64, i =>
        {
            var index = i % RoundTripTexts.Length;
            Assert.Equal(expected[index], gpt2.Encode(RoundTripTexts[index]));
        });
    }
}
