namespace Chat.Gateway.Contracts;

/// <summary>OpenAI <c>chat.completion</c> object.</summary>
public sealed record ChatCompletionResponse(string Id, string Object, long Created, string Model, IReadOnlyList<ChatCompletionChoice> Choices, UsageDto Usage);
