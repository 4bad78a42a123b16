using Chat.Inference.Onnx;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Prompts of admitted sequences, prefilled first come first served with at most one model call
/// and at most <c>chunkTokens</c> token positions per scheduler step, so the decode batch never waits
/// longer than one chunk. A prompt longer than a chunk runs chunk by chunk in its own batch-1 cache
/// (chunk boundaries depend only on the prompt, so a prompt prefills the same way under any load);
/// consecutive short prompts share one left-padded call. A finished prefill hands its cache rows to
/// the decode batch in the same step, after which the cache is reused. Loop thread only.
/// </summary>
internal sealed class Prefiller : IDisposable
{
    private readonly List<Sequence> _pending = [];
    private readonly List<Sequence> _completed = [];
    private readonly KvCache _cache;
    private readonly KvRowSource[] _rows;
    private readonly int[] _padding;
    private readonly int[] _tokens;
    private readonly float[] _logits;
    private readonly int _chunkTokens;
    private readonly int _padTokenId;
    private readonly int _vocab;

    public Prefiller(DecoderRunner runner, int capacity, int chunkTokens, int padTokenId)
    {
        _cache = runner.CreateCache(0);
        _rows = new KvRowSource[capacity];
        _padding = new int[capacity];
        _tokens = new int[chunkTokens];
        _vocab = runner.VocabSize;
        _logits = new float[capacity * _vocab];
        _chunkTokens = chunkTokens;
        _padTokenId = padTokenId;
    }

    public int Count => _pending.Count;

    /// <summary>Called with a kept prefix once it has been copied (the owner takes it back).</summary>
    public Action<PrefixEntry>? PrefixLoaded { get; init; }

    public IReadOnlyList<Sequence> Pending => _pending;

    /// <summary>Sequences whose prompt the last <see cref="Step"/> finished, row i of <see cref="CompletedRows"/> each.</summary>
    public IReadOnlyList<Sequence> Completed => _completed;

    public ReadOnlySpan<KvRowSource> CompletedRows => _rows.AsSpan(0, _completed.Count);

    public void Add(Sequence sequence) => _pending.Add(sequence);

    /// <summary>Forgets sequences that ended before their prefill finished (cancelled or failed).</summary>
    public void RemoveEnded() => _pending.RemoveAll(static s => s.IsFinished);

    /// <summary>The next-token logits of completed row <paramref name="row"/>.</summary>
    public Span<float> Logits(int row) => _logits.AsSpan(row * _vocab, _vocab);

    /// <summary>
    /// Runs the next prefill call, if any prompt waits: the next chunk of the head prompt when it is
    /// long or already started, else the head run of short prompts that fit one chunk together.
    /// Returns the prompt tokens it ran (padding not counted); 0 when nothing was pending.
    /// </summary>
    public int Step(DecoderRunner runner)
    {
        _completed.Clear();
        if (_pending.Count == 0)
        {
            return 0;
        }

        var head = _pending[0];
        return head.Prefilled > 0 || head.Prompt.Length > _chunkTokens ? RunChunk(runner, head) : RunGroup(runner);
    }

    public void ReleaseMemory()
    {
        if (_pending.Count == 0)
        {
            _cache.Release();
        }
    }

    public void Dispose() => _cache.Dispose();

    private int RunChunk(DecoderRunner runner, Sequence sequence)
    {
        if (sequence.Prefix is { } prefix)
        {
            // Continue after a kept prefix: its first Prefilled positions are this prompt's.
            _cache.LoadPrefix(new KvRowSource(prefix.Cache, 0, 0), sequence.Prefilled);
            sequence.Prefix = null;
            PrefixLoaded?.Invoke(prefix);
        }
        else if (sequence.Prefilled == 0)
        {
            _cache.Reset(1);
        }

        var count = Math.Min(_chunkTokens, sequence.Prompt.Length - sequence.Prefilled);
        _padding[0] = 0;
        runner.Forward(_cache, sequence.Prompt.AsSpan(sequence.Prefilled, count), _padding, _logits.AsSpan(0, _vocab));
        sequence.Prefilled += count;
        if (sequence.Prefilled == sequence.Prompt.Length)
        {
            _pending.RemoveAt(0);
            _completed.Add(sequence);
            _rows[0] = new KvRowSource(_cache, 0, 0);
        }

        return count;
    }

    private int RunGroup(DecoderRunner runner)
    {
        var longest = 0;
        var group = 0;
        var real = 0;
        while (group < _pending.Count && group < _rows.Length)
        {
            if (_pending[group].Prefilled > 0)
            {
                // Starts from a kept prefix: prefilled on its own by RunChunk.
                break;
            }

            var prompt = _pending[group].Prompt.Length;
            var width = Math.Max(longest, prompt);
            if (prompt > _chunkTokens || (group > 0 && (group + 1) * width > _chunkTokens))
            {
                break;
            }

            longest = width;
            real += prompt;
            group++;
        }

        _cache.Reset(group);
        var tokens = _tokens.AsSpan(0, group * longest);
        for (var row = 0; row < group; row++)
        {
            var prompt = _pending[row].Prompt;
            _padding[row] = longest - prompt.Length;
            tokens.Slice(row * longest, _padding[row]).Fill(_padTokenId);
            prompt.CopyTo(tokens.Slice((row * longest) + _padding[row]));
        }

        runner.Forward(_cache, tokens, _padding, _logits.AsSpan(0, group * _vocab));
        for (var row = 0; row < group; row++)
        {
            var sequence = _pending[row];
            sequence.Prefilled = sequence.Prompt.Length;
            _completed.Add(sequence);
            _rows[row] = new KvRowSource(_cache, row, _padding[row]);
        }

        _pending.RemoveRange(0, group);
        return real;
    }
}
