using System.Text.Json.Serialization;

namespace Chat.Gateway.Health;

public sealed record ReadinessReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("components")] IReadOnlyDictionary<string, string> Components);
