using System.Text.Json.Nodes;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Tests.Tokenization;

/// <summary>
/// A byte-level tokenizer.json written by the test: ids 0-255 are the 256 bytes (id = byte value),
/// five merges build "hello" and "Ġw", plus two added tokens; every expected id follows by hand.
/// </summary>
public sealed class SyntheticTokenizerTests : IDisposable
{
    private const int ImStart = 261;
    private const int Mask = 262;

    private readonly string _folder = Directory.CreateTempSubdirectory("tokenizer-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("hello", new[] { 259 })]
    [InlineData("hell", new[] { 258 })]
    [InlineData("hello hello", new[] { 259, 32, 259 })]
    [InlineData("hello world", new[] { 259, 260, 111, 114, 108, 100 })]
    [InlineData("é", new[] { 0xC3, 0xA9 })]
    [InlineData("a <mask> b", new[] { 97, Mask, 98 })]
    [InlineData("<|im_start|>hi", new[] { ImStart, 104, 105 })]
    public void Encodes_to_hand_derived_ids(string text, int[] expected)
    {
        var tokenizer = Load(Build());

        Assert.Equal(expected, tokenizer.Encode(text));
    }

    [Fact]
    public void Merges_given_as_arrays_equal_merges_given_as_strings()
    {
        var json = Build();
        json["model"]!["merges"] = new JsonArray(Merges.Select(m => (JsonNode)new JsonArray(m.Split(' ').Select(p => (JsonNode)p!).ToArray())).ToArray());

        Assert.Equal([259, 260, 111, 114, 108, 100], Load(json).Encode("hello world"));
    }

    [Fact]
    public void Add_bos_token_from_the_config_prefixes_the_bos_id()
    {
        var tokenizer = Load(Build(), new JsonObject { ["bos_token"] = new JsonObject { ["content"] = "<|im_start|>" }, ["add_bos_token"] = true });

        Assert.Equal(ImStart, tokenizer.BosTokenId);
        Assert.Equal([ImStart, 259], tokenizer.Encode("hello", addSpecialTokens: true));
        Assert.Equal([259], tokenizer.Encode("hello"));
        Assert.Equal("hello", tokenizer.Decode([ImStart, 259]));
        Assert.Equal("<|im_start|>hello", tokenizer.Decode([ImStart, 259], skipSpecialTokens: false));
    }

    [Fact]
    public void Decodes_bytes_back_to_text()
    {
        var tokenizer = Load(Build());

        Assert.Equal("hello world é", tokenizer.Decode([259, 260, 111, 114, 108, 100, 32, 0xC3, 0xA9]));
        Assert.Equal("hello", tokenizer.Decode([259, 99_999]));
    }

    [Fact]
    public void Missing_tokenizer_json_names_the_file()
    {
        var error = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.Load(_folder));

        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_names_the_file()
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), "{ \"model\": ");

        var error = Assert.Throws<InvalidDataException>(() => TokenizerLoader.Load(_folder));

        Assert.Contains("tokenizer.json", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("merge", "tokenizer.json: \"model.merges[5]\"")]
    [InlineData("model-type", "tokenizer.json: \"model.type\" is \"Unigram\"")]
    [InlineData("pre-tokenizer", "tokenizer.json: \"pre_tokenizer.type\" is \"Whitespace\"")]
    [InlineData("added-token", "tokenizer.json: \"added_tokens[1].id\" is missing")]
    [InlineData("bos", "tokenizer_config.json: \"bos_token\" names \"<nope>\"")]
    public void Bad_keys_are_named_with_their_file(string defect, string expected)
    {
        var json = Build();
        var config = new JsonObject();
        switch (defect)
        {
            case "merge":
                json["model"]!["merges"]!.AsArray().Add("x yz");
                break;
            case "model-type":
                json["model"]!["type"] = "Unigram";
                break;
            case "pre-tokenizer":
                json["pre_tokenizer"] = new JsonObject { ["type"] = "Whitespace" };
                break;
            case "added-token":
                json["added_tokens"]![1]!.AsObject().Remove("id");
                break;
            case "bos":
                config["bos_token"] = "<nope>";
                break;
        }

        var error = Assert.Throws<InvalidDataException>(() => Load(json, config));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    private static readonly string[] Merges = ["h e", "l l", "he ll", "hell o", "Ġ w"];

    private static JsonObject Build()
    {
        var vocab = new JsonObject();
        for (var b = 0; b < 256; b++)
        {
            vocab[ByteLevelChar(b).ToString()] = b;
        }

        vocab["he"] = 256;
        vocab["ll"] = 257;
        vocab["hell"] = 258;
        vocab["hello"] = 259;
        vocab["Ġw"] = 260;
        return new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(
                AddedToken(ImStart, "<|im_start|>", special: true, strip: false),
                AddedToken(Mask, "<mask>", special: false, strip: true)),
            ["normalizer"] = null,
            ["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel", ["add_prefix_space"] = false, ["use_regex"] = true },
            ["post_processor"] = new JsonObject { ["type"] = "ByteLevel" },
            ["decoder"] = new JsonObject { ["type"] = "ByteLevel" },
            ["model"] = new JsonObject
            {
                ["type"] = "BPE",
                ["vocab"] = vocab,
                ["merges"] = new JsonArray(Merges.Select(m => (JsonNode)m!).ToArray()),
            },
        };
    }

    private static JsonObject AddedToken(int id, string content, bool special, bool strip) => new()
    {
        ["id"] = id,
        ["content"] = content,
        ["single_word"] = false,
        ["lstrip"] = strip,
        ["rstrip"] = strip,
        ["normalized"] = false,
        ["special"] = special,
    };

    // GPT-2's byte-to-unicode table, written out independently of the code under test.
    private static char ByteLevelChar(int b)
    {
        if ((b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF))
        {
            return (char)b;
        }

        var shifted = 0;
        for (var i = 0; i < b; i++)
        {
            if (!((i >= '!' && i <= '~') || (i >= 0xA1 && i <= 0xAC) || (i >= 0xAE && i <= 0xFF)))
            {
                shifted++;
            }
        }

        return (char)(256 + shifted);
    }

    private ITokenizer Load(JsonObject tokenizer, JsonObject? config = null)
    {
        File.WriteAllText(Path.Combine(_folder, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(_folder, "tokenizer_config.json"), (config ?? new JsonObject()).ToJsonString());
        return TokenizerLoader.Load(_folder);
    }
}
