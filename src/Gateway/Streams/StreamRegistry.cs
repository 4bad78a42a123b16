using System.Collections.Concurrent;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Streams.Internal;
using Chat.Inference.Engine;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Streams;

/// <summary>
/// Every generation of every transport, by stream id. Starting one hands the engine enumeration to a
/// detached pump (<see cref="GenerationStream"/>) and returns the starter's subscription; any
/// transport of the same identity can attach later from an index. Memory is bounded per stream and in
/// total (finished streams are evicted first, oldest first); finished streams are forgotten after
/// <c>Streams:RetentionSeconds</c>.
/// </summary>
public sealed partial class StreamRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, GenerationStream> _streams = new(StringComparer.Ordinal);
    private readonly Lock _evictionGate = new();
    private readonly StreamsOptions _options;
    private readonly StreamLimits _limits;
    private readonly TimeSpan _retention;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<StreamRegistry> _logger;
    private readonly ITimer _sweeper;
    private long _totalBytes;

    public StreamRegistry(IOptions<StreamsOptions> options, GatewayMetrics metrics, ILogger<StreamRegistry> logger, TimeProvider? time = null)
    {
        _options = options.Value;
        time ??= TimeProvider.System;
        _limits = new StreamLimits(time, TimeSpan.FromSeconds(_options.DisconnectGraceSeconds), _options.MaxBytesPerStream, _options.SubscriberBufferEvents);
        _retention = TimeSpan.FromSeconds(_options.RetentionSeconds);
        _metrics = metrics;
        _logger = logger;
        var period = TimeSpan.FromSeconds(Math.Clamp(_options.RetentionSeconds / 2, 1, 30));
        _sweeper = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    /// <summary>Streams held (live and finished, not yet forgotten).</summary>
    public int Count => _streams.Count;

    /// <summary>
    /// Registers a new stream owned by <paramref name="owner"/>, subscribes the starter from index 0 and
    /// starts the generation detached from the caller. Await <see cref="StreamSubscription.WaitForStartAsync"/>
    /// before committing a response: it rethrows an admission failure.
    /// </summary>
    public StreamSubscription Start(string owner, string transport, int promptTokens, Func<CancellationToken, IAsyncEnumerable<GenerationUpdate>> generate)
    {
        ArgumentNullException.ThrowIfNull(generate);
        var stream = new GenerationStream(Guid.NewGuid().ToString("N"), owner, this, _limits);
        _streams[stream.Id] = stream;
        _metrics.RegistryStreams.WithLabels("live").Inc();
        var subscription = stream.Subscribe(0, transport);
        _ = Task.Run(() => stream.RunAsync(generate, promptTokens));
        return subscription;
    }

    /// <summary>Attaches <paramref name="owner"/> to a live or recently finished stream from <paramref name="fromIndex"/> on.</summary>
    /// <exception cref="StreamAccessException">Unknown or expired id, another owner, or an index outside the buffer.</exception>
    public StreamSubscription Resume(string streamId, string owner, int fromIndex, string transport)
    {
        try
        {
            var subscription = Find(streamId, owner).Subscribe(fromIndex, transport);
            _metrics.StreamResumes.WithLabels(transport, "ok").Inc();
            _metrics.ReplayedEvents.WithLabels(transport).Inc(subscription.ReplayedEvents);
            LogResumed(_logger, streamId, transport, fromIndex, subscription.ReplayedEvents);
            return subscription;
        }
        catch (StreamAccessException ex)
        {
            _metrics.StreamResumes.WithLabels(transport, ex.ErrorType).Inc();
            throw;
        }
    }

    /// <summary>Cancels a live stream on its owner's request (a finished one is left as it is).</summary>
    /// <exception cref="StreamAccessException">Unknown or expired id, or another owner.</exception>
    public GenerationStream Cancel(string streamId, string owner)
    {
        var stream = Find(streamId, owner);
        stream.Cancel();
        return stream;
    }

    private GenerationStream Find(string streamId, string owner)
    {
        if (!_streams.TryGetValue(streamId, out var stream) || stream.IsExpired(_limits.Time.GetTimestamp(), _retention))
        {
            throw new StreamAccessException(StreamAccessError.NotFound, $"Stream '{streamId}' does not exist or has expired.");
        }

        if (!string.Equals(stream.Owner, owner, StringComparison.Ordinal))
        {
            throw new StreamAccessException(StreamAccessError.Forbidden, $"Stream '{streamId}' belongs to another client.");
        }

        return stream;
    }

    internal void OnBufferChanged(GenerationStream stream, long delta)
    {
        var total = Interlocked.Add(ref _totalBytes, delta);
        _metrics.StreamBufferBytes.Set(total);
        if (total > _options.MaxTotalBytes)
        {
            EvictForMemory(stream);
        }
    }

    internal void OnCompleted(GenerationStream stream, bool graceExpired)
    {
        _metrics.RegistryStreams.WithLabels("live").Dec();
        _metrics.RegistryStreams.WithLabels("finished").Inc();
        if (graceExpired)
        {
            _metrics.GraceCancellations.Inc();
            LogGraceExpired(_logger, stream.Id);
        }

        if (_retention <= TimeSpan.Zero)
        {
            Remove(stream, "expired");
        }
    }

    internal void OnRefused(GenerationStream stream)
    {
        if (_streams.TryRemove(new KeyValuePair<string, GenerationStream>(stream.Id, stream)))
        {
            _metrics.RegistryStreams.WithLabels("live").Dec();
        }
    }

    internal void OnFailed(GenerationStream stream, Exception exception) => LogFailed(_logger, stream.Id, exception);

    internal void OnDisconnected(StreamSubscription subscription) =>
        _metrics.StreamDisconnects.WithLabels(subscription.Transport).Inc();

    internal void OnSlowSubscriber(StreamSubscription subscription)
    {
        _metrics.SlowSubscribers.WithLabels(subscription.Transport).Inc();
        LogSlowSubscriber(_logger, subscription.Stream.Id, subscription.Transport, subscription.NextIndex);
    }

    /// <summary>Forgets finished streams whose retention has passed (also runs on a timer).</summary>
    public void Sweep()
    {
        var now = _limits.Time.GetTimestamp();
        foreach (var stream in _streams.Values)
        {
            if (stream.IsExpired(now, _retention))
            {
                Remove(stream, "expired");
            }
        }
    }

    private void EvictForMemory(GenerationStream appending)
    {
        lock (_evictionGate)
        {
            foreach (var finished in _streams.Values.Where(s => s.IsCompleted).OrderBy(s => s.CompletedAt))
            {
                if (Interlocked.Read(ref _totalBytes) <= _options.MaxTotalBytes)
                {
                    return;
                }

                Remove(finished, "memory");
            }

            var excess = Interlocked.Read(ref _totalBytes) - _options.MaxTotalBytes;
            if (excess > 0)
            {
                // Only live streams are left: the one that grew gives up its oldest events.
                _metrics.StreamBufferBytes.Set(Interlocked.Add(ref _totalBytes, -appending.Trim(excess)));
            }
        }
    }

    private void Remove(GenerationStream stream, string reason)
    {
        if (_streams.TryRemove(new KeyValuePair<string, GenerationStream>(stream.Id, stream)))
        {
            _metrics.RegistryStreams.WithLabels("finished").Dec();
            _metrics.StreamEvictions.WithLabels(reason).Inc();
            _metrics.StreamBufferBytes.Set(Interlocked.Add(ref _totalBytes, -stream.Release()));
        }
    }

    /// <summary>At shutdown every live generation is cancelled.</summary>
    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var stream in _streams.Values)
        {
            if (!stream.IsCompleted)
            {
                stream.Cancel();
            }
        }
    }

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "Stream {StreamId} resumed over {Transport} from index {FromIndex} ({Replayed} events replayed)")]
    private static partial void LogResumed(ILogger logger, string streamId, string transport, int fromIndex, int replayed);

    [LoggerMessage(EventId = 401, Level = LogLevel.Information, Message = "Stream {StreamId} cancelled: no client attached within the disconnect grace period")]
    private static partial void LogGraceExpired(ILogger logger, string streamId);

    [LoggerMessage(EventId = 402, Level = LogLevel.Warning, Message = "Stream {StreamId}: a {Transport} subscriber fell behind and was detached at index {NextIndex}")]
    private static partial void LogSlowSubscriber(ILogger logger, string streamId, string transport, int nextIndex);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Stream {StreamId} failed after it began")]
    private static partial void LogFailed(ILogger logger, string streamId, Exception exception);
}
