namespace Chat.Gateway.Contracts;

/// <summary>Last line of a stream that failed after it began: <c>{"error":{"type","message"}}</c>.</summary>
public sealed record StreamErrorLine(StreamError Error);
