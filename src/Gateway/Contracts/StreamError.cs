namespace Chat.Gateway.Contracts;

public sealed record StreamError(string Type, string Message);
