namespace Chat.Gateway.Contracts;

public sealed record StreamOptionsDto(bool? IncludeUsage);
