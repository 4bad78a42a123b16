namespace Chat.Inference.Classification;

/// <summary>A version folder that could not be loaded, with the reason naming the file.</summary>
public sealed record ClassifierLoadFailure(string Folder, string Reason);
