namespace Chat.Gateway.Contracts;

/// <summary>
/// One item of a hub stream (<c>StreamChat</c>, <c>SendMessage</c>, <c>ResumeStream</c>): a token at
/// <see cref="Index"/> (what a client resumes after), then a last item with <see cref="Done"/>, the
/// finish reason, usage and timings.
/// </summary>
public sealed record ChatStreamItem(
    string StreamId,
    int Index,
    string? Token,
    bool Done = false,
    string? FinishReason = null,
    UsageDto? Usage = null,
    TimingsDto? Timings = null);
