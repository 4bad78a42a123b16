using System.Text.Json.Serialization;

namespace Chat.Gateway.Catalog;

/// <summary>One model in <c>GET /models</c>: its id, its kind (<c>classifier</c>, <c>decoder</c>) and its versions, newest first.</summary>
public sealed record ModelCatalogEntry(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("default_version")] string? DefaultVersion,
    [property: JsonPropertyName("versions")] IReadOnlyList<ModelCatalogVersion> Versions);
