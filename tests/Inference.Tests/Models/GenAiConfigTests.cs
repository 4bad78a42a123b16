using Chat.Inference.Models;
using Chat.Inference.Tests.Fakes;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Models;

public sealed class GenAiConfigTests
{
    private const string Valid = """
        {
          "model": {
            "type": "llama", "bos_token_id": 1, "eos_token_id": [2, 32007], "pad_token_id": 0,
            "context_length": 4096, "vocab_size": 32064,
            "decoder": {
              "filename": "model.onnx", "head_size": 96, "hidden_size": 3072, "num_attention_heads": 32,
              "num_hidden_layers": 32, "num_key_value_heads": 32,
              "session_options": { "log_id": "x", "provider_options": [], "intra_op_num_threads": 3, "session.some_entry": "1" },
              "inputs": { "input_ids": "ids", "past_key_names": "pk.%d", "past_value_names": "pv.%d" },
              "outputs": { "logits": "out", "present_key_names": "k.%d", "present_value_names": "v.%d" }
            }
          },
          "search": { "max_length": 2048, "do_sample": true, "temperature": 0.7, "top_k": 40, "top_p": 0.9, "repetition_penalty": 1.1 }
        }
        """;

    [Fact]
    public void Parses_every_field()
    {
        var config = GenAiConfig.Parse(Valid);

        Assert.Equal("llama", config.ModelType);
        Assert.Equal([2, 32007], config.EosTokenIds);
        Assert.Equal(1, config.BosTokenId);
        Assert.Equal(0, config.PadTokenId);
        Assert.Equal(4096, config.ContextLength);
        Assert.Equal(32064, config.VocabSize);
        Assert.Equal("model.onnx", config.Decoder.FileName);
        Assert.Equal((32, 32, 96, 3072, 32), (config.Decoder.NumHiddenLayers, config.Decoder.NumKeyValueHeads, config.Decoder.HeadSize, config.Decoder.HiddenSize, config.Decoder.NumAttentionHeads));
        Assert.Equal(3, config.Decoder.IntraOpNumThreads);
        Assert.Equal("1", config.Decoder.SessionConfigEntries["session.some_entry"]);
        Assert.False(config.Decoder.SessionConfigEntries.ContainsKey("log_id"));
        var names = config.Decoder.Names;
        Assert.Equal(("ids", "attention_mask", "position_ids", "out"), (names.InputIds, names.AttentionMask, names.PositionIds, names.Logits));
        Assert.False(names.CombinedKeyValue);
        Assert.Equal("pk.7", DecoderIoNames.ForLayer(names.PastKeyNames, 7));
        Assert.Equal("v.0", DecoderIoNames.ForLayer(names.PresentValueNames, 0));
        Assert.Equal(["pk.0", "pv.0", "pk.1", "pv.1"], names.PastNamesFor(2));
        Assert.Equal(["k.0", "v.0"], names.PresentNamesFor(1));
        Assert.Equal(new SearchDefaults { MaxLength = 2048, DoSample = true, Temperature = 0.7f, TopK = 40, TopP = 0.9f, RepetitionPenalty = 1.1f }, config.Search);
    }

    [Fact]
    public void Single_eos_id_and_combined_kv_names_are_read()
    {
        var json = Valid.Replace("[2, 32007]", "2", StringComparison.Ordinal)
            .Replace("\"past_key_names\": \"pk.%d\"", "\"past_names\": \"past_%d\"", StringComparison.Ordinal)
            .Replace("\"present_key_names\": \"k.%d\"", "\"present_names\": \"present_%d\"", StringComparison.Ordinal);

        var config = GenAiConfig.Parse(json);

        Assert.Equal([2], config.EosTokenIds);
        Assert.True(config.Decoder.Names.CombinedKeyValue);
        Assert.Equal(["present_0", "present_1"], config.Decoder.Names.PresentNamesFor(2));
    }

    [Theory]
    [InlineData("\"type\": \"llama\", ", "", "'model.type' is missing")]
    [InlineData("\"num_hidden_layers\": 32", "\"num_hidden_layers\": \"32\"", "'model.decoder.num_hidden_layers' must be an integer (found \"32\")")]
    [InlineData("\"num_key_value_heads\": 32", "\"num_key_value_heads\": 0", "'model.decoder.num_key_value_heads' must be at least 1")]
    [InlineData("[2, 32007]", "[2, \"x\"]", "'model.eos_token_id' must contain only integers")]
    [InlineData("[2, 32007]", "[]", "'model.eos_token_id' must be an integer or a non-empty list")]
    [InlineData("\"filename\": \"model.onnx\", ", "", "'model.decoder.filename' is missing")]
    [InlineData("\"context_length\": 4096, ", "", "'model.context_length' is missing")]
    [InlineData("\"pk.%d\"", "\"pk\"", "'model.decoder.inputs.past_key_names' must contain '%d'")]
    [InlineData("\"do_sample\": true", "\"do_sample\": 1", "'search.do_sample' must be true or false")]
    [InlineData("\"temperature\": 0.7", "\"temperature\": \"hot\"", "'search.temperature' must be a number")]
    public void Errors_name_the_file_and_key(string find, string replace, string expected)
    {
        var json = Valid.Replace(find, replace, StringComparison.Ordinal);
        Assert.NotEqual(Valid, json);

        var error = Assert.Throws<InvalidDataException>(() => GenAiConfig.Parse(json, "/models/x/genai_config.json"));

        Assert.StartsWith("/models/x/genai_config.json: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Combined_past_without_present_is_rejected()
    {
        var json = Valid.Replace("\"past_key_names\": \"pk.%d\"", "\"past_names\": \"past_%d\"", StringComparison.Ordinal);

        var error = Assert.Throws<InvalidDataException>(() => GenAiConfig.Parse(json));

        Assert.Contains("'model.decoder.outputs.present_names'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_file_and_bad_json_name_the_file()
    {
        var folder = Directory.CreateTempSubdirectory("genai-config-").FullName;
        try
        {
            var missing = Assert.Throws<InvalidDataException>(() => GenAiConfig.Load(folder));
            Assert.Contains(Path.Combine(folder, "genai_config.json"), missing.Message, StringComparison.Ordinal);

            File.WriteAllText(Path.Combine(folder, "genai_config.json"), "{ \"model\": ");
            var bad = Assert.Throws<InvalidDataException>(() => GenAiConfig.Load(folder));
            Assert.Contains("not valid JSON", bad.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [GenAiFixtureFact]
    public void Both_fixtures_parse()
    {
        var gpt2 = GenAiConfig.Load(Fixtures.Gpt2);
        var llama = GenAiConfig.Load(Fixtures.Llama);

        Assert.Equal(("gpt2", "past.onnx", 5, true), (gpt2.ModelType, gpt2.Decoder.FileName, gpt2.Decoder.NumHiddenLayers, gpt2.Decoder.Names.CombinedKeyValue));
        Assert.Equal("input_ids", gpt2.Decoder.Names.InputIds);
        Assert.Equal(("llama", 2048, 32000, false), (llama.ModelType, llama.ContextLength, llama.VocabSize, llama.Decoder.Names.CombinedKeyValue));
        Assert.Equal([1], llama.EosTokenIds);
    }
}
