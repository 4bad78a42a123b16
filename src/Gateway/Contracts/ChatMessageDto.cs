namespace Chat.Gateway.Contracts;

/// <summary>One message on the wire: role system, user or assistant.</summary>
public sealed record ChatMessageDto(string? Role, string? Content);
