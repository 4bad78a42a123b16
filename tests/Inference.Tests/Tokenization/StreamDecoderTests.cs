using System.Text;
using Chat.Inference.Tokenization;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Tokenization;

/// <summary>
/// The stream decoder's contract: the concatenation of every Append plus Flush equals Decode of the
/// whole sequence, and no returned piece ends inside a UTF-8 character.
/// </summary>
public sealed class StreamDecoderTests
{
    [GenAiFixtureFact]
    public void Streaming_random_sequences_equals_full_decode_for_both_fixtures()
    {
        foreach (var folder in new[] { "tiny-random-llama-fp16", "tiny-random-gpt2-fp32" })
        {
            var tokenizer = TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, folder));
            var random = new Random(1234);
            for (var sequence = 0; sequence < 300; sequence++)
            {
                var ids = RandomIds(random, tokenizer, random.Next(1, 40));
                foreach (var skip in new[] { true, false })
                {
                    Assert.Equal(tokenizer.Decode(ids, skip), Stream(tokenizer, ids, skip, out _));
                }
            }
        }
    }

    [GenAiFixtureFact]
    public void Streaming_non_ascii_text_never_splits_a_character()
    {
        foreach (var folder in new[] { "tiny-random-llama-fp16", "tiny-random-gpt2-fp32" })
        {
            var tokenizer = TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, folder));
            foreach (var text in FixtureTokenizerTests.RoundTripTexts)
            {
                var ids = tokenizer.Encode(text, addSpecialTokens: true);

                var streamed = Stream(tokenizer, ids, skipSpecialTokens: true, out var pieces);

                Assert.Equal(text, streamed);
                Assert.All(pieces, p => Assert.False(p.Length > 0 && char.IsHighSurrogate(p[^1]), $"piece ends in half a surrogate pair: {p}"));
                Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD'));
            }
        }
    }

    [GenAiFixtureFact]
    public void Byte_fallback_character_appears_only_when_its_last_byte_arrives()
    {
        var tokenizer = TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-llama-fp16"));
        var decoder = tokenizer.CreateStreamDecoder();

        // "▁" 🎉 as four byte tokens; the SentencePiece leading space is stripped as in a full decode.
        var pieces = new[] { 29871, 243, 162, 145, 140 }.Select(decoder.Append).ToArray();

        Assert.Equal(["", "", "", "", "🎉"], pieces);
        Assert.Equal("", decoder.Flush());
    }

    [GenAiFixtureFact]
    public void Flush_renders_an_incomplete_character_as_replacement()
    {
        var tokenizer = TokenizerLoader.Load(Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-llama-fp16"));
        var decoder = tokenizer.CreateStreamDecoder();

        Assert.Equal("Hello", decoder.Append(15043) + decoder.Append(243) + decoder.Append(162));
        Assert.Equal("\uFFFD", decoder.Flush());
        Assert.Equal("Hello\uFFFD", tokenizer.Decode([15043, 243, 162]));
    }

    internal static string Stream(ITokenizer tokenizer, int[] ids, bool skipSpecialTokens, out List<string> pieces)
    {
        var decoder = tokenizer.CreateStreamDecoder(skipSpecialTokens);
        pieces = ids.Select(decoder.Append).ToList();
        pieces.Add(decoder.Flush());
        var builder = new StringBuilder();
        pieces.ForEach(p => builder.Append(p));
        return builder.ToString();
    }

    // Biased towards byte tokens, the spacing marker and specials, where the stream decoder's state matters.
    private static int[] RandomIds(Random random, ITokenizer tokenizer, int length)
    {
        var interesting = new List<int>();
        for (var b = 0; b < 256; b++)
        {
            if (tokenizer.TokenToId($"<0x{b:X2}>") is { } byteId)
            {
                interesting.Add(byteId);
            }
        }

        foreach (var token in new[] { "▁", "Ġ", "<s>", "</s>", "<unk>", "<|endoftext|>", "▁▁", "ĠĠ", "Ċ" })
        {
            if (tokenizer.TokenToId(token) is { } id)
            {
                interesting.Add(id);
            }
        }

        return Enumerable.Range(0, length)
            .Select(_ => random.Next(3) == 0 && interesting.Count > 0 ? interesting[random.Next(interesting.Count)] : random.Next(tokenizer.VocabSize))
            .ToArray();
    }
}
