namespace Chat.Gateway.Contracts;

public sealed record UsageDto(int PromptTokens, int CompletionTokens, int TotalTokens);
