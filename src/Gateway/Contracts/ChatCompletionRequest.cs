namespace Chat.Gateway.Contracts;

/// <summary>OpenAI <c>POST /v1/chat/completions</c> body.</summary>
public sealed record ChatCompletionRequest : SamplingRequestBase
{
    public string? Model { get; init; }

    public IReadOnlyList<ChatMessageDto>? Messages { get; init; }

    public bool? Stream { get; init; }

    public StreamOptionsDto? StreamOptions { get; init; }

    /// <summary>Newer name of <c>max_tokens</c>; wins when both are set.</summary>
    public int? MaxCompletionTokens { get; init; }

    public int? N { get; init; }

    public string? User { get; init; }
}
