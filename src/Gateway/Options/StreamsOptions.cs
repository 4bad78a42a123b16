using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Options;

/// <summary>The <c>Streams</c> section: how long generations and their replay buffers outlive their clients.</summary>
public sealed class StreamsOptions
{
    public const string SectionName = "Streams";

    /// <summary>
    /// A live generation whose last client went away keeps running this long so that it can be
    /// resumed, then is cancelled. 0 cancels at once. An explicit cancel (hub stream disposed,
    /// WebSocket <c>cancel</c>, <c>DELETE /chat/streams/{id}</c>) never waits.
    /// </summary>
    [Range(0, 3600, ErrorMessage = "Streams:DisconnectGraceSeconds must be between {1} and {2}.")]
    public double DisconnectGraceSeconds { get; set; } = 10;

    /// <summary>A finished stream stays resumable this long; 0 forgets it as soon as it ends.</summary>
    [Range(0, 86_400, ErrorMessage = "Streams:RetentionSeconds must be between {1} and {2}.")]
    public double RetentionSeconds { get; set; } = 60;

    /// <summary>Replay buffer of one stream; beyond it the oldest events are dropped (resuming before them gives 410).</summary>
    [Range(1024, 64 * 1024 * 1024, ErrorMessage = "Streams:MaxBytesPerStream must be between {1} and {2}.")]
    public int MaxBytesPerStream { get; set; } = 1024 * 1024;

    /// <summary>Replay buffers of all streams together; finished streams are evicted first, oldest first.</summary>
    [Range(typeof(long), "65536", "68719476736", ErrorMessage = "Streams:MaxTotalBytes must be between {1} and {2}.")]
    public long MaxTotalBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Events a subscriber may fall behind the generation before it is dropped with a slow_consumer error.</summary>
    [Range(16, 1_000_000, ErrorMessage = "Streams:SubscriberBufferEvents must be between {1} and {2}.")]
    public int SubscriberBufferEvents { get; set; } = 4096;
}
