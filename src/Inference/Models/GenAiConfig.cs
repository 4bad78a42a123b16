using Chat.Inference.Models.Internal;

namespace Chat.Inference.Models;

/// <summary>
/// The parts of an onnxruntime-genai <c>genai_config.json</c> a decoder-only model needs:
/// model identity and special ids, the decoder graph and its I/O names, and search defaults.
/// </summary>
public sealed record GenAiConfig
{
    public const string FileName = "genai_config.json";

    /// <summary><c>model.type</c>, e.g. llama, phi3, qwen2, gpt2.</summary>
    public required string ModelType { get; init; }

    public required DecoderConfig Decoder { get; init; }

    /// <summary><c>model.eos_token_id</c> (a number or a list).</summary>
    public required IReadOnlyList<int> EosTokenIds { get; init; }

    public int? BosTokenId { get; init; }

    public required int PadTokenId { get; init; }

    public required int ContextLength { get; init; }

    public required int VocabSize { get; init; }

    public SearchDefaults Search { get; init; } = new();

    /// <summary>Reads <c>genai_config.json</c> from a model folder; failures name the file and the key.</summary>
    /// <exception cref="InvalidDataException">The file is missing, not JSON, or a key is missing or of the wrong type.</exception>
    public static GenAiConfig Load(string modelFolder)
    {
        var path = Path.Combine(modelFolder, FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: file not found (the model folder must be in the onnxruntime-genai format).");
        }

        return GenAiConfigReader.Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses config text; <paramref name="sourceName"/> appears in error messages.</summary>
    public static GenAiConfig Parse(string json, string sourceName = FileName) => GenAiConfigReader.Parse(json, sourceName);
}
