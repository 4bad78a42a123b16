using System.Text.Json.Serialization;

namespace Chat.Gateway.Predict.Contracts;

/// <summary>Answer of <c>POST /predict</c>.</summary>
public sealed record PredictResponse(
    [property: JsonPropertyName("prediction")] int Prediction,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, float> Probabilities,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("latency_ms")] double LatencyMs);
