namespace Chat.Inference.Engine;

/// <summary>What a client may know about the loaded decoder.</summary>
public sealed record ModelDescriptor(string Id, string Type, int ContextLength, int VocabSize, IReadOnlyList<int> EosTokenIds);
