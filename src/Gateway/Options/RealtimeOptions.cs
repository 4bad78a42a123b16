using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Options;

/// <summary>The <c>Realtime</c> section: the SignalR hub and the raw WebSocket endpoint.</summary>
public sealed class RealtimeOptions
{
    public const string SectionName = "Realtime";

    /// <summary>Largest hub or WebSocket message a client may send (SignalR's MaximumReceiveMessageSize; WebSocket close 1009 beyond it).</summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Realtime:MaxMessageBytes must be between {1} and {2}.")]
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>WebSocket ping interval (and SignalR keep-alive) in seconds.</summary>
    [Range(1, 3600, ErrorMessage = "Realtime:KeepAliveSeconds must be between {1} and {2}.")]
    public double KeepAliveSeconds { get; set; } = 15;

    /// <summary>A WebSocket peer that does not answer a ping within this many seconds is dropped (and the SignalR client timeout).</summary>
    [Range(1, 3600, ErrorMessage = "Realtime:KeepAliveTimeoutSeconds must be between {1} and {2}.")]
    public double KeepAliveTimeoutSeconds { get; set; } = 30;

    /// <summary>Generations one connection (hub or socket) may run at the same time.</summary>
    [Range(1, 256, ErrorMessage = "Realtime:MaxConcurrentStreamsPerConnection must be between {1} and {2}.")]
    public int MaxConcurrentStreamsPerConnection { get; set; } = 4;

    /// <summary>Sustained messages (hub invocations or WebSocket messages) per second per connection.</summary>
    [Range(1, 100_000, ErrorMessage = "Realtime:MessagesPerSecond must be between {1} and {2}.")]
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>Messages a connection may send in a burst above the sustained rate.</summary>
    [Range(1, 100_000, ErrorMessage = "Realtime:MessageBurst must be between {1} and {2}.")]
    public int MessageBurst { get; set; } = 40;

    /// <summary>Server-side conversations one hub connection may hold.</summary>
    [Range(1, 1000, ErrorMessage = "Realtime:MaxConversationsPerConnection must be between {1} and {2}.")]
    public int MaxConversationsPerConnection { get; set; } = 8;

    /// <summary>Messages kept per conversation; beyond it the older half is dropped in one step (see Conversation).</summary>
    [Range(4, 100_000, ErrorMessage = "Realtime:MaxConversationMessages must be between {1} and {2}.")]
    public int MaxConversationMessages { get; set; } = 64;

    /// <summary>Outgoing WebSocket messages queued for the socket's one writer.</summary>
    [Range(16, 1_000_000, ErrorMessage = "Realtime:SendQueueMessages must be between {1} and {2}.")]
    public int SendQueueMessages { get; set; } = 1024;
}
