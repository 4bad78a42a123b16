using Chat.Gateway.Contracts;

namespace Chat.Gateway.Streams;

/// <summary>
/// One event of a generation as every transport replays it. <see cref="Index"/> is the event's
/// position in its stream (0, 1, 2, ...): the NDJSON <c>index</c>, the SSE <c>id:</c>, the hub item's
/// and WebSocket message's <c>index</c>, and what a client resumes from. Immutable, shared by all subscribers.
/// </summary>
public sealed class StreamEvent
{
    // Object header, fields and the string's own header: an estimate that keeps the buffers' accounting honest.
    private const int Overhead = 96;

    private StreamEvent(int index, StreamEventKind kind, string text, int tokenId, string? finishReason, UsageDto? usage, TimingsDto? timings, StreamError? error)
    {
        Index = index;
        Kind = kind;
        Text = text;
        TokenId = tokenId;
        FinishReason = finishReason;
        Usage = usage;
        Timings = timings;
        Error = error;
    }

    public int Index { get; }

    public StreamEventKind Kind { get; }

    /// <summary>Token text; empty for a held-back token and for the final events.</summary>
    public string Text { get; }

    /// <summary>Generated token id, or -1 (text released with the final update, done and error events).</summary>
    public int TokenId { get; }

    public string? FinishReason { get; }

    public UsageDto? Usage { get; }

    public TimingsDto? Timings { get; }

    public StreamError? Error { get; }

    public bool IsTerminal => Kind != StreamEventKind.Token;

    /// <summary>Approximate bytes this event keeps alive in a replay buffer.</summary>
    public int SizeBytes => Overhead + (2 * Text.Length) + (Error is { } error ? 2 * (error.Message.Length + error.Type.Length) : 0);

    public static StreamEvent Token(int index, string text, int tokenId) =>
        new(index, StreamEventKind.Token, text, tokenId, null, null, null, null);

    public static StreamEvent Done(int index, string finishReason, UsageDto usage, TimingsDto timings) =>
        new(index, StreamEventKind.Done, "", -1, finishReason, usage, timings, null);

    public static StreamEvent Failed(int index, StreamError error) =>
        new(index, StreamEventKind.Error, "", -1, null, null, null, error);
}
