namespace Chat.Inference.Classification;

/// <summary>What one scan of the classifiers folder added and what it could not load.</summary>
public sealed record ClassifierRefreshResult(IReadOnlyList<ClassifierModel> Loaded, IReadOnlyList<ClassifierLoadFailure> Failures);
