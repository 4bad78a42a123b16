using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Gateway.Catalog;

/// <summary>One loaded version and its metadata document, shown as-is.</summary>
public sealed record ModelCatalogVersion(
    [property: JsonPropertyName("version")] string Version,
    [property: JsonPropertyName("metadata")] JsonElement Metadata);
