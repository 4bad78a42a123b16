namespace Chat.Inference.Templates;

/// <summary>One message of a conversation as a chat template sees it.</summary>
public readonly record struct ChatTurn(string Role, string Content);
