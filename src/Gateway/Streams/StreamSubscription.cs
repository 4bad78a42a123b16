using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace Chat.Gateway.Streams;

/// <summary>
/// One transport's view of a generation: the events from its start index on, exactly once each.
/// The events that already existed when it attached were copied (under the stream's lock) into a
/// replay array; every later event arrives through a bounded channel that only the generation's
/// pump writes, so replay and live meet without a gap or a duplicate. Disposing it detaches: when the
/// last subscriber of a live stream leaves, the disconnect grace period starts.
/// </summary>
public sealed class StreamSubscription : IAsyncDisposable
{
    private readonly StreamEvent[] _replay;
    private readonly Channel<StreamEvent>? _live;
    private int _disposed;

    internal StreamSubscription(GenerationStream stream, string transport, int fromIndex, StreamEvent[] replay, Channel<StreamEvent>? live)
    {
        Stream = stream;
        Transport = transport;
        NextIndex = fromIndex;
        _replay = replay;
        _live = live;
    }

    public GenerationStream Stream { get; }

    /// <summary>Label of the transport reading it (metrics and logs).</summary>
    public string Transport { get; }

    /// <summary>The index of the next event this subscriber would receive (where a client resumes).</summary>
    public int NextIndex { get; private set; }

    /// <summary>Events replayed from the buffer when it attached.</summary>
    public int ReplayedEvents => _replay.Length;

    /// <summary>Whether the terminal event (done or error) was delivered.</summary>
    public bool SawEnd { get; private set; }

    internal Channel<StreamEvent>? Live => _live;

    /// <summary>
    /// Completes once the engine accepted the generation and produced its first update; rethrows an
    /// admission failure (over capacity, model not ready) so that the caller can still answer with a status.
    /// </summary>
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Stream.Started.WaitAsync(cancellationToken);

    /// <summary>Replay, then live events, ending after the terminal event.</summary>
    /// <exception cref="SlowSubscriberException">This subscriber fell too far behind and was detached.</exception>
    public async IAsyncEnumerable<StreamEvent> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var item in _replay)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Delivered(item);
            yield return item;
        }

        if (_live is null || SawEnd)
        {
            yield break;
        }

        var reader = _live.Reader;
        while (await WaitToReadAsync(reader, cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                Delivered(item);
                yield return item;
            }
        }
    }

    private static async ValueTask<bool> WaitToReadAsync(ChannelReader<StreamEvent> reader, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex) when (ex.InnerException is SlowSubscriberException slow)
        {
            throw slow;
        }
    }

    private void Delivered(StreamEvent item)
    {
        NextIndex = item.Index + 1;
        SawEnd = item.IsTerminal;
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Stream.Leave(this);
        }

        return ValueTask.CompletedTask;
    }
}
