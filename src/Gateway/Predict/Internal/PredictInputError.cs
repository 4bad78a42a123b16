namespace Chat.Gateway.Predict.Internal;

/// <summary>What is wrong with a predict body: the field path (<c>features[3]</c>, <c>items[2]["mean radius"]</c>) and why.</summary>
internal sealed record PredictInputError(string Field, string Message);
