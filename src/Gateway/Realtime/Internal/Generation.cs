using Chat.Gateway.Streams;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// One id in flight on a WebSocket. Its token ends with the socket (the stream detaches); an explicit
/// <see cref="Cancel"/> cancels the stream itself, or the preparation when no stream exists yet.
/// </summary>
internal sealed class Generation(CancellationTokenSource lifetime) : IDisposable
{
    private readonly Lock _gate = new();
    private GenerationStream? _stream;
    private bool _cancelled;
    private bool _disposed;

    public CancellationToken Token { get; } = lifetime.Token;

    public Task Relay { get; set; } = Task.CompletedTask;

    public void Attach(GenerationStream stream)
    {
        lock (_gate)
        {
            _stream = stream;
            if (!_cancelled)
            {
                return;
            }
        }

        stream.Cancel();
    }

    public void Cancel()
    {
        GenerationStream? stream;
        lock (_gate)
        {
            _cancelled = true;
            stream = _stream;
            if (stream is null && !_disposed)
            {
                lifetime.Cancel();
            }
        }

        stream?.Cancel();
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        lifetime.Dispose();
    }
}
