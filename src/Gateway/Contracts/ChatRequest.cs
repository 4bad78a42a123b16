namespace Chat.Gateway.Contracts;

/// <summary>Native chat request (<c>/chat</c>, <c>/chat/stream</c>); <see cref="Message"/> is shorthand for one user message.</summary>
public sealed record ChatRequest : SamplingRequestBase
{
    public IReadOnlyList<ChatMessageDto>? Messages { get; init; }

    public string? Message { get; init; }
}
