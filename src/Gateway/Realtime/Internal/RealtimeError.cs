using Chat.Gateway.Engine;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Chat.Inference.Engine;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// The typed error both realtime transports send: a stable <see cref="Type"/> a client can switch on
/// (<c>invalid_request</c>, <c>not_found</c>, <c>forbidden</c>, <c>gone</c>, <c>not_ready</c>,
/// <c>overloaded</c>, <c>rate_limited</c>, <c>too_many_streams</c>, <c>conflict</c>,
/// <c>slow_consumer</c>, <c>server_error</c>, ...), the offending field when there is one, and a message.
/// </summary>
internal sealed record RealtimeError(string Type, string Message, string? Field = null)
{
    /// <summary>The typed error for an exception, or null for one that is not the client's to see (a server fault).</summary>
    public static RealtimeError? From(Exception exception) => exception switch
    {
        RequestValidationException invalid => new("invalid_request", invalid.Message, invalid.Field),
        StreamAccessException access => new(access.ErrorType, access.Message, access.Field),
        ChatModelNotReadyException notReady => new("not_ready", notReady.Message),
        EngineOverloadedException overloaded => new("overloaded", overloaded.Message),
        SlowSubscriberException slow => new("slow_consumer", slow.Message),
        RealtimeException realtime => new(realtime.Type, realtime.Message, realtime.Field),
        _ => null,
    };

    /// <summary>The hub's rendering: <c>type (field): message</c>, the part a SignalR client sees after "HubException: ".</summary>
    public override string ToString() => Field is null ? $"{Type}: {Message}" : $"{Type} ({Field}): {Message}";
}
