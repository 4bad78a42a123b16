using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// The KV cache of a batch of rows (one sequence, a prefill group, or the running decode batch):
/// for each past/present tensor pair two native buffers used ping-pong. A step binds the current
/// buffer as past (length L) and the other as present (length L + new tokens); ONNX Runtime writes
/// the whole present tensor, so after the step the roles swap and nothing is copied. A buffer grows
/// by doubling only when it is about to receive a tensor larger than its capacity, so growth costs
/// no copy either; memory is at most 2 x 2 x the live cache.
/// </summary>
/// <remarks>
/// Batched layout: every tensor is [batch, kv_heads, L, head] (gpt2: [2, batch, kv_heads, L, head]),
/// one row per sequence, each row right-aligned with zeroed left padding up to the batch length L
/// (the attention mask hides the padding; zeros keep 0 x value finite). Membership changes go
/// through <see cref="Regroup"/>, which costs at most one copy of the live cache, i.e. about what
/// ONNX Runtime already spends per step writing present = past + new:
/// - a row joins without lengthening L (separate K/V layout, capacity to spare): only that row is
///   written, in place, after the existing rows (the batch index is the outermost dimension);
/// - a row leaves (separate layout): the last row moves into its slot, one row copied in place;
/// - otherwise (a joining row longer than L, trimming padding that every row shares, or the gpt2
///   layout whose value half starts after all key rows) all rows are gathered into the spare
///   ping-pong buffer at the new shape, which then becomes current.
/// Steps with unchanged membership copy nothing.
/// </remarks>
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

    public int Batch { get; private set; }

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

    /// <summary>Empties the cache for <paramref name="batch"/> new rows, keeping its buffers for reuse.</summary>
    public void Reset(int batch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Batch = batch;
        Length = 0;
    }

    /// <summary>Empties the cache and frees its native memory (an idle engine holds none).</summary>
    public void Release()
    {
        Reset(0);
        for (var i = 0; i < _current.Length; i++)
        {
            _current[i].Release();
            _next[i].Release();
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
        SwapBuffers();
        Length += newTokens;
    }

    /// <summary>
    /// Makes row i of this cache hold <paramref name="rows"/>[i], right-aligned at length
    /// <paramref name="length"/> (at least every row's <see cref="KvRowSource.Length"/>). A source may
    /// be a row of this cache; it must then be row i itself or a later row (what swap-removal
    /// produces), so that copying rows in order reads each before it is overwritten. Returns the rows'
    /// new left padding in <paramref name="padding"/>.
    /// </summary>
    public void Regroup(ReadOnlySpan<KvRowSource> rows, int length, Span<int> padding)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var batch = rows.Length;
        for (var i = 0; i < batch; i++)
        {
            padding[i] = length - rows[i].Length;
            if (padding[i] < 0 || (rows[i].Cache == this && rows[i].Row < i))
            {
                throw new ArgumentException($"Row {i} cannot be placed at length {length} from row {rows[i].Row}.", nameof(rows));
            }
        }

        if (batch == 0)
        {
            Reset(0);
            return;
        }

        var inPlace = !_layout.Combined && length == Length && _current[0].CapacityBytes >= _layout.Bytes(batch, length);
        var targets = inPlace ? _current : _next;
        _layout.WriteShape(_shape, batch, length);
        for (var t = 0; t < targets.Length; t++)
        {
            var target = targets[t];
            target.View(_shape);
            for (var i = 0; i < batch; i++)
            {
                var source = rows[i];
                if (inPlace && source.Cache == this && source.Row == i)
                {
                    continue;
                }

                CopyRow(source.Cache._current[t], source.Cache.Batch, source.Row, source.Cache.Length, source.Padding, source.Length, target, batch, i, length, padding[i]);
            }
        }

        Batch = batch;
        Length = length;
        if (!inPlace)
        {
            SwapBuffers();
        }
    }

    /// <summary>
    /// Makes this a batch-1 cache holding the first <paramref name="length"/> real positions of
    /// <paramref name="source"/> (another cache's row), unpadded: a kept prefix to continue from.
    /// </summary>
    public void LoadPrefix(KvRowSource source, int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (source.Cache == this || length < 1 || length > source.Length)
        {
            throw new ArgumentException($"A prefix of {length} positions cannot be taken from a row of {source.Length}.", nameof(length));
        }

        _layout.WriteShape(_shape, 1, length);
        for (var t = 0; t < _next.Length; t++)
        {
            _next[t].View(_shape);
            CopyRow(source.Cache._current[t], source.Cache.Batch, source.Row, source.Cache.Length, source.Padding, length, _next[t], 1, 0, length, 0);
        }

        Batch = 1;
        Length = length;
        SwapBuffers();
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

    private void SwapBuffers()
    {
        for (var i = 0; i < _current.Length; i++)
        {
            (_current[i], _next[i]) = (_next[i], _current[i]);
        }
    }

    /// <summary>Copies the first <paramref name="count"/> real positions of one row (every head, both halves of a combined tensor) and zeroes the target's padding.</summary>
    private unsafe void CopyRow(
        BoundTensor source, int sourceBatch, int sourceRow, int sourceLength, int sourcePadding, int count,
        BoundTensor target, int targetBatch, int targetRow, int targetLength, int targetPadding)
    {
        long rowBytes = (long)_layout.HeadSize * _layout.ElementSize;
        var realBytes = checked((int)(count * rowBytes));
        var padBytes = checked((int)(targetPadding * rowBytes));
        var from = (byte*)source.Buffer.Pointer;
        var to = (byte*)target.Buffer.Pointer;
        for (var half = 0; half < (_layout.Combined ? 2 : 1); half++)
        {
            for (var head = 0; head < _layout.Heads; head++)
            {
                var sourceBlock = ((((long)half * sourceBatch) + sourceRow) * _layout.Heads) + head;
                var targetBlock = ((((long)half * targetBatch) + targetRow) * _layout.Heads) + head;
                var sourceAt = from + (((sourceBlock * sourceLength) + sourcePadding) * rowBytes);
                var targetAt = to + (targetBlock * targetLength * rowBytes);
                new Span<byte>(targetAt, padBytes).Clear();
                new ReadOnlySpan<byte>(sourceAt, realBytes).CopyTo(new Span<byte>(targetAt + padBytes, realBytes));
            }
        }
    }
}
