using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// The KV cache of one sequence (or one static batch): for each past/present tensor pair two native
/// buffers used ping-pong. A step binds the current buffer as past (length L) and the other as
/// present (length L + new tokens); ONNX Runtime's attention writes the whole present tensor, so
/// after the step the roles swap and nothing is copied. A buffer grows by doubling only when it is
/// about to receive a present tensor larger than its capacity, so growth costs no copy either;
/// memory is at most 2 x 2 x the live cache. Disposing frees every buffer at once (cancellation and
/// completion both end here). Owned by one sequence so a batching scheduler can gather sequences
/// into one call without sharing buffers.
/// </summary>
internal sealed class KvCache : IDisposable
{
    private readonly KvLayout _layout;
    private readonly BoundTensor[] _current;
    private readonly BoundTensor[] _next;
    private readonly long[] _shape;
    private bool _disposed;

    public KvCache(KvLayout layout, TensorElementType elementType, int tensorCount, int batch)
    {
        _layout = layout;
        Batch = batch;
        _current = new BoundTensor[tensorCount];
        _next = new BoundTensor[tensorCount];
        for (var i = 0; i < tensorCount; i++)
        {
            _current[i] = new BoundTensor(elementType, layout.ElementSize);
            _next[i] = new BoundTensor(elementType, layout.ElementSize);
        }

        _shape = new long[layout.Rank];
    }

    public int Batch { get; }

    /// <summary>Tokens (including left padding) the cache holds per row.</summary>
    public int Length { get; private set; }

    public long AllocatedBytes
    {
        get
        {
            long total = 0;
            for (var i = 0; i < _current.Length; i++)
            {
                total += _current[i].CapacityBytes + _next[i].CapacityBytes;
            }

            return total;
        }
    }

    /// <summary>Writes the past views (current length) and present views (length + <paramref name="newTokens"/>).</summary>
    public void Bind(Span<OrtValue> past, Span<OrtValue> present, int newTokens)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _layout.WriteShape(_shape, Batch, Length);
        for (var i = 0; i < _current.Length; i++)
        {
            past[i] = _current[i].View(_shape);
        }

        _layout.WriteShape(_shape, Batch, Length + newTokens);
        for (var i = 0; i < _next.Length; i++)
        {
            present[i] = _next[i].View(_shape);
        }
    }

    /// <summary>Called after a successful run: the presents become the pasts.</summary>
    public void Advance(int newTokens)
    {
        for (var i = 0; i < _current.Length; i++)
        {
            (_current[i], _next[i]) = (_next[i], _current[i]);
        }

        Length += newTokens;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var i = 0; i < _current.Length; i++)
        {
            _current[i].Dispose();
            _next[i].Dispose();
        }
    }
}
