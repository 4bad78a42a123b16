using System.Threading.RateLimiting;
using Chat.Gateway.Options;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// Per-connection limits shared by the hub and the WebSocket: a token bucket of messages (sustained
/// rate plus burst) and a cap on generations running at the same time.
/// </summary>
internal sealed class ConnectionLimits : IDisposable
{
    private readonly TokenBucketRateLimiter _messages;
    private readonly int _maxStreams;
    private int _streams;

    public ConnectionLimits(RealtimeOptions options)
    {
        _maxStreams = options.MaxConcurrentStreamsPerConnection;
        _messages = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.MessageBurst,
            TokensPerPeriod = options.MessagesPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    /// <summary>Takes one message from the bucket; false when the connection is over its rate.</summary>
    public bool TryTakeMessage()
    {
        using var lease = _messages.AttemptAcquire();
        return lease.IsAcquired;
    }

    /// <summary>Reserves a generation slot; release it with <see cref="ReleaseStream"/>.</summary>
    /// <exception cref="RealtimeException">The connection already runs its maximum of generations.</exception>
    public void TakeStream()
    {
        if (Interlocked.Increment(ref _streams) > _maxStreams)
        {
            Interlocked.Decrement(ref _streams);
            throw new RealtimeException("too_many_streams", null,
                $"This connection already runs {_maxStreams} generations (Realtime:MaxConcurrentStreamsPerConnection); wait for one to finish.");
        }
    }

    public void ReleaseStream() => Interlocked.Decrement(ref _streams);

    public void Dispose() => _messages.Dispose();
}
