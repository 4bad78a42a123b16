using System.Text.Json.Serialization;

namespace Chat.Gateway.Engine;

/// <summary>What <c>GET /models</c> shows of the loaded decoder.</summary>
internal sealed record DecoderCatalogMetadata(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("context_length")] int ContextLength,
    [property: JsonPropertyName("vocab_size")] int VocabSize,
    [property: JsonPropertyName("eos_token_ids")] IReadOnlyList<int> EosTokenIds);
