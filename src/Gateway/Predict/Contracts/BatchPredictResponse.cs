using System.Text.Json.Serialization;

namespace Chat.Gateway.Predict.Contracts;

/// <summary>Answer of <c>POST /predict/batch</c>: one result per item, in order.</summary>
public sealed record BatchPredictResponse(
    [property: JsonPropertyName("results")] IReadOnlyList<PredictionResult> Results,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("latency_ms")] double LatencyMs);
