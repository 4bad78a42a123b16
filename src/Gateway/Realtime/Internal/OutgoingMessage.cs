using System.Net.WebSockets;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Realtime.Internal;

internal enum OutgoingKind
{
    Start,
    Token,
    Done,
    Error,
    Pong,
    Close,
}

/// <summary>
/// What a WebSocket session's one writer sends next. A struct that refers to the shared stream event,
/// so queueing a token allocates nothing; the writer serializes it straight into its reused buffer.
/// </summary>
internal readonly record struct OutgoingMessage(
    OutgoingKind Kind,
    string? Id,
    string? StreamId = null,
    StreamEvent? Event = null,
    int From = 0,
    RealtimeError? Error = null,
    WebSocketCloseStatus CloseStatus = WebSocketCloseStatus.NormalClosure,
    string? CloseReason = null);
