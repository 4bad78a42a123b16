namespace Chat.Gateway.Contracts;

/// <summary>Native non-streaming answer of <c>POST /chat</c>.</summary>
public sealed record ChatResponse(string StreamId, ChatMessageDto Message, string FinishReason, UsageDto Usage, TimingsDto Timings);
