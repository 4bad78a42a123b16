using System.Text.Json;
using Chat.ModelBuilder.Decoder;
using Chat.ModelBuilder.Tokenizer;

namespace Chat.ModelBuilder.Tests;

public sealed class TokenizerTests
{
    public const string Corpus =
        "The cat sat on the mat. The cat saw the rat. The rat ran to the mat, and the cat ran after the rat.\n"
        + "Then the cat sat again, and the rat sat on the hat. That is the end of the tale of the cat and the rat.\n";

    [Fact]
    public void Without_a_corpus_the_vocabulary_is_the_bytes_and_the_chat_specials()
    {
        var tokenizer = ChatTokenizerModel.Create(null, null);

        Assert.Equal(ChatTokenizerModel.MinimumVocab, tokenizer.Tokens.Count);
        Assert.Empty(tokenizer.Merges);
        Assert.Equal("A", tokenizer.Tokens['A']);
        Assert.Equal("Ġ", tokenizer.Tokens[' ']);
        Assert.Equal(["<|endoftext|>", "<|im_start|>", "<|im_end|>"], tokenizer.Tokens.Skip(256));
    }

    [Fact]
    public void Merges_learned_from_a_corpus_build_frequent_words_first()
    {
        var tokenizer = ChatTokenizerModel.Create(Corpus, 280);

        Assert.Equal(280, tokenizer.Tokens.Count);
        Assert.Contains("Ġthe", tokenizer.Tokens);
        Assert.Contains("Ġcat", tokenizer.Tokens);
        var known = new HashSet<string>(tokenizer.Tokens);
        Assert.All(tokenizer.Merges, merge =>
        {
            Assert.Contains(merge.Left, known);
            Assert.Contains(merge.Right, known);
            Assert.Contains(merge.Left + merge.Right, known);
        });
    }

    [Fact]
    public void Ids_the_merges_do_not_reach_become_reserved_specials()
    {
        var tokenizer = ChatTokenizerModel.Create(Corpus, 2000);

        Assert.Equal(2000, tokenizer.Tokens.Count);
        Assert.Equal("<|reserved_0|>", tokenizer.Tokens[tokenizer.FirstReservedId]);
        Assert.Equal($"<|reserved_{2000 - tokenizer.FirstReservedId - 1}|>", tokenizer.Tokens[^1]);
    }

    /// <summary>An independent byte-level BPE (Microsoft.ML.Tokenizers' GPT-2 style CodeGen) reads our vocab and merges.</summary>
    [Fact]
    public void An_independent_byte_level_bpe_round_trips_text_with_the_written_vocabulary()
    {
        using var temp = new TempDirectory();
        var corpus = temp.Sub("corpus.txt");
        File.WriteAllText(corpus, Corpus);
        var build = DecoderModelWriter.Write(DecoderPresets.Tiny with { CorpusPath = corpus, Vocab = 300 }, temp.Sub("model"));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(build.Directory, "tokenizer.json")));
        var model = json.RootElement.GetProperty("model");
        using var vocab = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(model.GetProperty("vocab").GetRawText()));
        var merges = "#version: 0.2\n" + string.Join("\n", model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()));
        using var mergesStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(merges));
        var bpe = Microsoft.ML.Tokenizers.CodeGenTokenizer.Create(vocab, mergesStream, false, false, false);
        const string text = "The cat sat on the mat, naïvely: 42 €!";

        var ids = bpe.EncodeToIds(text);

        Assert.Equal(text, bpe.Decode(ids));
        Assert.Contains(build.Tokenizer.Tokens.ToList().IndexOf("Ġthe"), ids);
        Assert.True(ids.Count < System.Text.Encoding.UTF8.GetByteCount(text), "merges should shorten the byte sequence");
    }

    [Fact]
    public void Too_small_a_vocab_is_refused_naming_the_minimum()
    {
        var error = Assert.Throws<ArgumentException>(() => ChatTokenizerModel.Create(Corpus, 100));
        Assert.Contains("259", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Tokenizer_files_and_genai_config_agree_on_special_ids()
    {
        using var temp = new TempDirectory();
        var corpus = temp.Sub("corpus.txt");
        File.WriteAllText(corpus, Corpus);
        var build = DecoderModelWriter.Write(DecoderPresets.Tiny with { CorpusPath = corpus, Vocab = 290 }, temp.Sub("model"));

        using var tokenizerJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(build.Directory, "tokenizer.json")));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(build.Directory, "tokenizer_config.json")));
        using var genai = JsonDocument.Parse(File.ReadAllText(Path.Combine(build.Directory, "genai_config.json")));
        var vocab = tokenizerJson.RootElement.GetProperty("model").GetProperty("vocab");
        var added = tokenizerJson.RootElement.GetProperty("added_tokens").EnumerateArray()
            .ToDictionary(t => t.GetProperty("content").GetString()!, t => t.GetProperty("id").GetInt32());
        var model = genai.RootElement.GetProperty("model");

        Assert.Equal("ByteLevel", tokenizerJson.RootElement.GetProperty("pre_tokenizer").GetProperty("type").GetString());
        Assert.Equal("BPE", tokenizerJson.RootElement.GetProperty("model").GetProperty("type").GetString());
        Assert.Equal(290, vocab.EnumerateObject().Count());
        Assert.Equal(
            [added["<|im_end|>"], added["<|endoftext|>"]],
            model.GetProperty("eos_token_id").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(added[config.RootElement.GetProperty("bos_token").GetString()!], model.GetProperty("bos_token_id").GetInt32());
        Assert.Equal(added[config.RootElement.GetProperty("pad_token").GetString()!], model.GetProperty("pad_token_id").GetInt32());
        Assert.Equal(added[config.RootElement.GetProperty("eos_token").GetString()!], build.Tokenizer.ImEndId);
        Assert.Equal(vocab.GetProperty("<|im_start|>").GetInt32(), added["<|im_start|>"]);
        // Jinja string escapes, as Qwen2 and SmolLM write them: the template text holds backslash-n.
        Assert.Contains("'<|im_start|>assistant\\n'", config.RootElement.GetProperty("chat_template").GetString()!, StringComparison.Ordinal);
        Assert.Equal(build.Spec.Context, config.RootElement.GetProperty("model_max_length").GetInt32());
        Assert.False(config.RootElement.GetProperty("add_bos_token").GetBoolean());
    }
}
