using Chat.ModelBuilder.Decoder.Internal;
using Chat.ModelBuilder.Tokenizer;

namespace Chat.ModelBuilder.Decoder;

/// <summary>
/// Writes a complete onnxruntime-genai model folder: model.onnx (+ model.onnx.data when large),
/// genai_config.json, tokenizer.json, tokenizer_config.json, special_tokens_map.json.
/// </summary>
public static class DecoderModelWriter
{
    public const string ModelFileName = "model.onnx";

    /// <summary>Builds the tokenizer and random weights the spec describes and writes the folder.</summary>
    public static DecoderBuildResult Write(DecoderSpec spec, string outputDirectory)
        => Write(spec, outputDirectory, weights: null);

    /// <summary>
    /// Writes the folder with the given weights (a trainer's), or random ones from the spec's seed
    /// when null. The tokenizer always comes from the spec (corpus and vocab).
    /// </summary>
    public static DecoderBuildResult Write(DecoderSpec spec, string outputDirectory, DecoderWeights? weights)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var tokenizer = CreateTokenizer(spec);
        var vocab = tokenizer.Tokens.Count;
        weights ??= DecoderWeights.CreateRandom(spec, vocab);
        weights.Validate(spec, vocab);

        Directory.CreateDirectory(outputDirectory);
        var (model, graph) = DecoderGraph.Build(spec, weights, vocab);
        OnnxModelFile.Write(model, graph, Path.Combine(outputDirectory, ModelFileName));
        GenAiConfigWriter.Write(outputDirectory, spec, vocab, tokenizer, ModelFileName);
        tokenizer.WriteFiles(outputDirectory, spec.Context);
        return new DecoderBuildResult(outputDirectory, spec, vocab, tokenizer);
    }

    /// <summary>The tokenizer a spec gives; its size is the model's vocabulary.</summary>
    public static ChatTokenizerModel CreateTokenizer(DecoderSpec spec)
    {
        var corpus = spec.CorpusPath is null ? null : ChatTokenizerModel.ReadCorpus(spec.CorpusPath);
        return ChatTokenizerModel.Create(corpus, spec.Vocab);
    }
}
