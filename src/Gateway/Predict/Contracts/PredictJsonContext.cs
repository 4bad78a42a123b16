using System.Text.Json.Serialization;

namespace Chat.Gateway.Predict.Contracts;

/// <summary>Source-generated serialization of the predict wire types (names fixed by attributes, as the contract is).</summary>
[JsonSerializable(typeof(PredictResponse))]
[JsonSerializable(typeof(BatchPredictResponse))]
[JsonSerializable(typeof(ModelsResponse))]
public sealed partial class PredictJsonContext : JsonSerializerContext;
