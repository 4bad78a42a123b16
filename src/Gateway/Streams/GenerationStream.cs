using System.Diagnostics;
using System.Threading.Channels;
using Chat.Gateway.Contracts;
using Chat.Gateway.Streams.Internal;
using Chat.Inference.Engine;

namespace Chat.Gateway.Streams;

/// <summary>
/// One generation as a first-class object, detached from the request that started it. Its pump is
/// the only writer: it reads the engine's updates and appends them as <see cref="StreamEvent"/>s to a
/// bounded replay buffer and to every attached subscriber's bounded channel, under one lock, so a
/// subscriber attaching at any moment sees each event exactly once. A subscriber that cannot keep up
/// is dropped (never waited for). When the last subscriber leaves a live stream the disconnect grace
/// period starts; nobody re-attaching before it ends cancels the engine sequence.
/// </summary>
public sealed class GenerationStream
{
    private readonly Lock _gate = new();
    private readonly List<StreamEvent?> _events = [];
    private readonly List<StreamSubscription> _subscribers = [];
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StreamRegistry _registry;
    private readonly StreamLimits _limits;

    // _events[_head] holds the event with index _firstIndex; earlier slots were trimmed and await compaction.
    private int _head;
    private int _firstIndex;
    private int _nextIndex;
    private long _bytes;
    private long _completedAt;
    private bool _cancelRequested;

    internal GenerationStream(string id, string owner, StreamRegistry registry, StreamLimits limits)
    {
        Id = id;
        Owner = owner;
        _registry = registry;
        _limits = limits;
        _cancellation = new CancellationTokenSource(Timeout.InfiniteTimeSpan, limits.Time);
    }

    public string Id { get; }

    /// <summary>The identity that started it (<see cref="ClientIdentity"/>); only it may attach.</summary>
    public string Owner { get; }

    public bool IsCompleted => Volatile.Read(ref _completedAt) != 0;

    /// <summary>Events produced so far (also the index of the next one).</summary>
    public int EventCount
    {
        get
        {
            lock (_gate)
            {
                return _nextIndex;
            }
        }
    }

    internal Task Started => _started.Task;

    internal long BufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return _bytes;
            }
        }
    }

    internal long CompletedAt => Volatile.Read(ref _completedAt);

    /// <summary>Cancels the generation now (an explicit cancel by its owner); it ends with finish reason cancelled.</summary>
    public void Cancel()
    {
        lock (_gate)
        {
            _cancelRequested = true;
        }

        _cancellation.Cancel();
    }

    internal bool IsExpired(long now, TimeSpan retention)
    {
        var completed = CompletedAt;
        return completed != 0 && _limits.Time.GetElapsedTime(completed, now) >= retention;
    }

    internal StreamSubscription Subscribe(int fromIndex, string transport)
    {
        lock (_gate)
        {
            if (fromIndex < _firstIndex)
            {
                throw new StreamAccessException(StreamAccessError.Gone,
                    $"Events before index {_firstIndex} of stream {Id} are no longer buffered (Streams:MaxBytesPerStream / MaxTotalBytes).");
            }

            if (fromIndex > _nextIndex || fromIndex < 0)
            {
                throw new StreamAccessException(StreamAccessError.InvalidIndex,
                    $"from must be between {_firstIndex} and {_nextIndex} (the events stream {Id} has produced so far).");
            }

            var replay = new StreamEvent[_nextIndex - fromIndex];
            for (var i = 0; i < replay.Length; i++)
            {
                replay[i] = _events[_head + fromIndex - _firstIndex + i]!;
            }

            Channel<StreamEvent>? live = null;
            if (CompletedAt == 0)
            {
                // One writer (the pump, under this lock), one reader (the transport).
                live = Channel.CreateBounded<StreamEvent>(new BoundedChannelOptions(_limits.SubscriberBufferEvents)
                {
                    SingleReader = true,
                    SingleWriter = true,
                    FullMode = BoundedChannelFullMode.Wait,
                });
                // Someone is back: the grace period (if running) no longer applies.
                if (!_cancelRequested)
                {
                    _cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
                }
            }

            var subscription = new StreamSubscription(this, transport, fromIndex, replay, live);
            if (live is not null)
            {
                _subscribers.Add(subscription);
            }

            return subscription;
        }
    }

    /// <summary>A subscriber detached (its transport ended, its client left, or it was dropped as too slow).</summary>
    internal void Leave(StreamSubscription subscription)
    {
        bool disconnected;
        lock (_gate)
        {
            _subscribers.Remove(subscription);
            disconnected = !subscription.SawEnd && CompletedAt == 0;
            if (disconnected && _subscribers.Count == 0 && !_cancelRequested)
            {
                _cancellation.CancelAfter(_limits.DisconnectGrace);
            }
        }

        if (disconnected)
        {
            _registry.OnDisconnected(subscription);
        }
    }

    /// <summary>The pump: the engine enumeration this stream owns, from admission to the terminal event.</summary>
    internal async Task RunAsync(Func<CancellationToken, IAsyncEnumerable<GenerationUpdate>> generate, int promptTokens)
    {
        var token = _cancellation.Token;
        var started = Stopwatch.GetTimestamp();
        IAsyncEnumerator<GenerationUpdate>? updates = null;
        var tokens = 0;
        FinishReason? finish = null;
        GenerationUsage? usage = null;
        var refused = false;
        try
        {
            updates = generate(token).GetAsyncEnumerator(token);
            var hasUpdate = await updates.MoveNextAsync().ConfigureAwait(false);
            _started.TrySetResult();
            while (hasUpdate)
            {
                var update = updates.Current;
                if (update.TokenId >= 0)
                {
                    tokens++;
                }

                if (update.TokenId >= 0 || update.Text.Length > 0)
                {
                    Append(update.Text, update.TokenId, terminal: null);
                }

                if (update.FinishReason is { } reason)
                {
                    finish = reason;
                    usage = update.Usage;
                    break;
                }

                hasUpdate = await updates.MoveNextAsync().ConfigureAwait(false);
            }

            AppendDone(finish ?? FinishReason.Cancelled, usage, promptTokens, tokens, started);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The chat client surfaces its caller's cancellation as an exception: the stream still ends with done.
            _started.TrySetResult();
            AppendDone(FinishReason.Cancelled, usage, promptTokens, tokens, started);
        }
        catch (Exception ex) when (_started.Task.IsCompleted)
        {
            _registry.OnFailed(this, ex);
            var error = new StreamError(ex is EngineOverloadedException ? "overloaded" : "server_error", ex.Message);
            Append("", -1, index => StreamEvent.Failed(index, error));
        }
        catch (Exception ex)
        {
            // Refused before it began (over capacity, model not ready): the starter answers with a status; no stream remains.
            refused = true;
            lock (_gate)
            {
                Volatile.Write(ref _completedAt, _limits.Time.GetTimestamp());
                CompleteSubscribersLocked();
            }

            _registry.OnRefused(this);
            _started.TrySetException(ex);
        }
        finally
        {
            if (updates is not null)
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }

        // The token source is not disposed: a late Cancel or grace timer on a finished stream stays harmless.
        if (!refused)
        {
            _registry.OnCompleted(this, graceExpired: finish == FinishReason.Cancelled && !_cancelRequested && _cancellation.IsCancellationRequested);
        }
    }

    private void AppendDone(FinishReason finish, GenerationUsage? usage, int promptTokens, int tokens, long started)
    {
        var prompt = usage?.PromptTokens ?? promptTokens;
        var completion = usage?.CompletionTokens ?? tokens;
        var timings = usage is null
            ? new TimingsDto(0, 0, 0, Stopwatch.GetElapsedTime(started).TotalMilliseconds)
            : new TimingsDto(usage.TimeToFirstToken.TotalMilliseconds, usage.TokensPerSecond, usage.QueueTime.TotalMilliseconds, usage.TotalTime.TotalMilliseconds);
        var wire = finish switch
        {
            FinishReason.Stop => "stop",
            FinishReason.Length => "length",
            _ => "cancelled",
        };
        var usageDto = new UsageDto(prompt, completion, prompt + completion) { CachedPromptTokens = usage?.CachedPromptTokens ?? 0 };
        Append("", -1, index => StreamEvent.Done(index, wire, usageDto, timings));
    }

    /// <summary>Appends a token event, or the terminal event <paramref name="terminal"/> creates.</summary>
    private void Append(string text, int tokenId, Func<int, StreamEvent>? terminal)
    {
        long added;
        List<StreamSubscription>? dropped = null;
        lock (_gate)
        {
            var index = _nextIndex++;
            var item = terminal is null ? StreamEvent.Token(index, text, tokenId) : terminal(index);
            _events.Add(item);
            added = item.SizeBytes;
            _bytes += added;
            added -= TrimLocked(_bytes - _limits.MaxBytesPerStream);

            foreach (var subscriber in _subscribers)
            {
                if (!subscriber.Live!.Writer.TryWrite(item))
                {
                    (dropped ??= []).Add(subscriber);
                }
            }

            if (dropped is not null)
            {
                foreach (var slow in dropped)
                {
                    // Its reader drains what its channel holds, then learns to resume from this event, the first it missed.
                    slow.Live!.Writer.TryComplete(new SlowSubscriberException(item.Index));
                    _subscribers.Remove(slow);
                }
            }

            if (item.IsTerminal)
            {
                Volatile.Write(ref _completedAt, _limits.Time.GetTimestamp());
                CompleteSubscribersLocked();
            }
        }

        if (dropped is not null)
        {
            foreach (var slow in dropped)
            {
                _registry.OnSlowSubscriber(slow);
            }
        }

        _registry.OnBufferChanged(this, added);
    }

    private void CompleteSubscribersLocked()
    {
        foreach (var subscriber in _subscribers)
        {
            subscriber.Live!.Writer.TryComplete();
        }

        _subscribers.Clear();
    }

    /// <summary>Drops the oldest events until <paramref name="excess"/> bytes are freed (the newest event always stays).</summary>
    internal long Trim(long excess)
    {
        lock (_gate)
        {
            return TrimLocked(excess);
        }
    }

    /// <summary>Forgets every event (the stream was evicted or expired); returns the bytes released.</summary>
    internal long Release()
    {
        lock (_gate)
        {
            var released = _bytes;
            _events.Clear();
            _head = 0;
            _firstIndex = _nextIndex;
            _bytes = 0;
            return released;
        }
    }

    private long TrimLocked(long excess)
    {
        long freed = 0;
        while (freed < excess && _events.Count - _head > 1)
        {
            freed += _events[_head]!.SizeBytes;
            _events[_head] = null;
            _head++;
            _firstIndex++;
        }

        if (_head > 256 && _head * 2 > _events.Count)
        {
            _events.RemoveRange(0, _head);
            _head = 0;
        }

        _bytes -= freed;
        return freed;
    }
}
