using Chat.Inference.Onnx;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// The running decode batch: up to MaxBatchSize sequences whose keys and values share one
/// <see cref="KvCache"/>, one row each, right-aligned with left padding (layout and copy costs are
/// described on <see cref="KvCache"/>). <see cref="Decode"/> is one ONNX Runtime call that feeds each
/// row its last sampled token. Membership changes only through <see cref="Update"/>, between steps.
/// Loop thread only.
/// </summary>
internal sealed class DecodeBatch : IDisposable
{
    private readonly KvCache _cache;
    private readonly List<Sequence> _rows;
    private readonly KvRowSource[] _sources;
    private readonly int[] _padding;
    private readonly int[] _tokens;
    private readonly float[] _logits;
    private readonly int _vocab;

    public DecodeBatch(DecoderRunner runner, int capacity)
    {
        _cache = runner.CreateCache(0);
        _rows = new List<Sequence>(capacity);
        _sources = new KvRowSource[capacity];
        _padding = new int[capacity];
        _tokens = new int[capacity];
        _vocab = runner.VocabSize;
        _logits = new float[capacity * _vocab];
    }

    public int Count => _rows.Count;

    public IReadOnlyList<Sequence> Rows => _rows;

    /// <summary>Positions per row the cache holds now, padding included (a test and tuning aid).</summary>
    public int Length => _cache.Length;

    /// <summary>
    /// Drops the rows of sequences that no longer hold KV (finished, cancelled, failed) and appends
    /// <paramref name="joining"/> with their prefilled rows, in one regroup of the cache. A leaving row
    /// is replaced by the last row; the batch length grows to the longest joining row, and shrinks to
    /// the longest remaining row once a quarter or more of every row is shared padding.
    /// </summary>
    public void Update(IReadOnlyList<Sequence> joining, ReadOnlySpan<KvRowSource> joiningRows)
    {
        var count = _rows.Count;
        for (var i = 0; i < count; i++)
        {
            _sources[i] = new KvRowSource(_cache, i, _padding[i]);
        }

        var changed = joining.Count > 0;
        for (var row = count - 1; row >= 0; row--)
        {
            if (_rows[row].HoldsKv)
            {
                continue;
            }

            changed = true;
            var last = _rows.Count - 1;
            _rows[row] = _rows[last];
            _sources[row] = _sources[last];
            _rows.RemoveAt(last);
        }

        if (!changed)
        {
            return;
        }

        for (var i = 0; i < joining.Count; i++)
        {
            _sources[_rows.Count] = joiningRows[i];
            _rows.Add(joining[i]);
        }

        var longest = 0;
        for (var i = 0; i < _rows.Count; i++)
        {
            longest = Math.Max(longest, _sources[i].Length);
        }

        var length = _cache.Length;
        if (longest > length || (length - longest) * 4 >= length)
        {
            length = longest;
        }

        _cache.Regroup(_sources.AsSpan(0, _rows.Count), length, _padding);
    }

    /// <summary>One model call: every row's last token in, every row's next-token logits out.</summary>
    public void Decode(DecoderRunner runner)
    {
        var count = _rows.Count;
        for (var i = 0; i < count; i++)
        {
            _tokens[i] = _rows[i].LastToken;
        }

        runner.Forward(_cache, _tokens.AsSpan(0, count), _padding, _logits.AsSpan(0, count * _vocab));
    }

    /// <summary>Where row <paramref name="row"/>'s keys and values sit in the batch cache (valid until the next <see cref="Update"/>).</summary>
    public KvRowSource Row(int row) => new(_cache, row, _padding[row]);

    /// <summary>The logits <see cref="Decode"/> produced for <paramref name="row"/> (the sampler may overwrite them).</summary>
    public Span<float> Logits(int row) => _logits.AsSpan(row * _vocab, _vocab);

    /// <summary>Drops every row at once without copying (after a fault that leaves the rows' state unknown).</summary>
    public void Clear()
    {
        _rows.Clear();
        _cache.Reset(0);
    }

    /// <summary>Frees the cache's native memory; only while the batch is empty.</summary>
    public void ReleaseMemory()
    {
        if (_rows.Count == 0)
        {
            _cache.Release();
        }
    }

    public void Dispose() => _cache.Dispose();
}
