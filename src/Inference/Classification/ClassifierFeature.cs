namespace Chat.Inference.Classification;

/// <summary>One input feature and the range seen in training (a hint for clients, not a bound).</summary>
public sealed record ClassifierFeature(string Name, double Min, double Max);
