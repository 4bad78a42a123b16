using System.Text.Json.Serialization;

namespace Chat.Gateway.Predict.Contracts;

/// <summary>One item of a batch answer, in request order.</summary>
public sealed record PredictionResult(
    [property: JsonPropertyName("prediction")] int Prediction,
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("confidence")] float Confidence,
    [property: JsonPropertyName("probabilities")] IReadOnlyDictionary<string, float> Probabilities);
