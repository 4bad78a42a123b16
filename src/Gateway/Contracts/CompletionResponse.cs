namespace Chat.Gateway.Contracts;

/// <summary>OpenAI <c>text_completion</c> object.</summary>
public sealed record CompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<CompletionChoice> Choices, UsageDto Usage);
