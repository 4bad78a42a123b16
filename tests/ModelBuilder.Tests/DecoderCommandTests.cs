using System.Text.Json;
using Chat.ModelBuilder.Decoder;
using Chat.ModelBuilder.Tokenizer;
using Microsoft.ML.OnnxRuntime;

namespace Chat.ModelBuilder.Tests;

/// <summary>The <c>decoder</c> verb through <see cref="Cli.Run"/>, as <c>dotnet run --project src/ModelBuilder</c> runs it.</summary>
public sealed class DecoderCommandTests
{
    /// <summary>Every genai_config.json key the issue names, as JSON paths.</summary>
    private static readonly string[] RequiredKeys =
    [
        "model.type", "model.bos_token_id", "model.eos_token_id", "model.pad_token_id", "model.context_length", "model.vocab_size",
        "model.decoder.filename", "model.decoder.head_size", "model.decoder.hidden_size", "model.decoder.num_attention_heads",
        "model.decoder.num_key_value_heads", "model.decoder.num_hidden_layers", "model.decoder.session_options",
        "model.decoder.inputs.input_ids", "model.decoder.inputs.attention_mask", "model.decoder.inputs.position_ids",
        "model.decoder.inputs.past_key_names", "model.decoder.inputs.past_value_names",
        "model.decoder.outputs.logits", "model.decoder.outputs.present_key_names", "model.decoder.outputs.present_value_names",
        "search.max_length", "search.do_sample", "search.temperature", "search.top_k", "search.top_p",
        "search.repetition_penalty", "search.num_beams",
    ];

    [Theory]
    [InlineData("tiny", "standard", 90_624L)]
    [InlineData("tiny", "contrib", 90_624L)]
    [InlineData("small", "contrib", 15_191_712L)]
    public void Preset_builds_a_folder_onnx_runtime_loads(string preset, string graph, long parameters)
    {
        using var temp = new TempDirectory();
        var output = temp.Sub(preset);

        var printed = new StringWriter();
        var previous = Console.Out;
        Console.SetOut(printed);
        try
        {
            Assert.Equal(0, Cli.Run(["decoder", "--preset", preset, "--graph", graph, "--out", output]));
        }
        finally
        {
            Console.SetOut(previous);
        }

        Assert.Contains($"{parameters:N0} parameters", printed.ToString(), StringComparison.Ordinal);

        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "genai_config.json")));
        foreach (var key in RequiredKeys)
        {
            Assert.True(TryGet(config.RootElement, key, out _), $"genai_config.json lacks {key}");
        }

        var model = config.RootElement.GetProperty("model");
        var decoder = model.GetProperty("decoder");
        Assert.Equal("llama", model.GetProperty("type").GetString());
        var spec = DecoderPresets.Get(preset);
        Assert.Equal(spec.Layers, decoder.GetProperty("num_hidden_layers").GetInt32());
        Assert.Equal(spec.KvHeads, decoder.GetProperty("num_key_value_heads").GetInt32());
        Assert.Equal(spec.HeadSize, decoder.GetProperty("head_size").GetInt32());

        using var session = new InferenceSession(Path.Combine(output, decoder.GetProperty("filename").GetString()!));
        var vocab = model.GetProperty("vocab_size").GetInt32();
        Assert.Equal(vocab, session.OutputMetadata["logits"].Dimensions[2]);
        for (var layer = 0; layer < spec.Layers; layer++)
        {
            Assert.Contains(Pattern(decoder, "inputs", "past_key_names", layer), session.InputMetadata.Keys);
            Assert.Contains(Pattern(decoder, "inputs", "past_value_names", layer), session.InputMetadata.Keys);
            Assert.Contains(Pattern(decoder, "outputs", "present_key_names", layer), session.OutputMetadata.Keys);
            Assert.Contains(Pattern(decoder, "outputs", "present_value_names", layer), session.OutputMetadata.Keys);
        }

        var vocabulary = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "tokenizer.json"))).RootElement.GetProperty("model").GetProperty("vocab");
        Assert.Equal(vocab, vocabulary.EnumerateObject().Count());
        Assert.Equal(spec.Vocab ?? ChatTokenizerModel.MinimumVocab, vocab);

        // Large presets keep their weights beside the graph, as the reference builder does.
        Assert.Equal(parameters * sizeof(float) > 32L << 20, File.Exists(Path.Combine(output, "model.onnx.data")));
    }

    [Theory]
    [InlineData("--graph", "dense", "--graph")]
    [InlineData("--heads", "5", "heads")]
    [InlineData("--preset", "huge", "huge")]
    [InlineData("--colour", "red", "--colour")]
    public void Bad_flags_exit_2_naming_the_flag(string flag, string value, string named)
    {
        using var temp = new TempDirectory();
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        try
        {
            Assert.Equal(2, Cli.Run(["decoder", "--out", temp.Sub("x"), flag, value]));
        }
        finally
        {
            Console.SetError(previous);
        }

        Assert.Contains(named, error.ToString(), StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Sub("x")));
    }

    private static string Pattern(JsonElement decoder, string section, string key, int layer) =>
        decoder.GetProperty(section).GetProperty(key).GetString()!.Replace("%d", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static bool TryGet(JsonElement element, string path, out JsonElement value)
    {
        value = element;
        foreach (var part in path.Split('.'))
        {
            if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty(part, out value))
            {
                return false;
            }
        }

        return true;
    }
}
