using System.Collections.Concurrent;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// The BPE model of tokenizer.json: vocabulary, ranked merges, byte fallback and unknown-token rules,
/// applied to one pre-tokenized word at a time. Immutable apart from its word cache, which is
/// concurrent and bounded (it simply stops growing when full, as the reference implementation does).
/// </summary>
internal sealed class BpeModel
{
    private const int CacheCapacity = 10_000;
    private const int MaxCachedWordLength = 256;

    private readonly Dictionary<string, int> _vocab;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocabBySpan;
    private readonly Dictionary<long, MergeRule> _merges;
    private readonly int[]? _byteFallbackIds;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;
    private readonly bool _ignoreMerges;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;
    private int _cacheCount;

    [ThreadStatic]
    private static MergeScratch? t_scratch;

    public BpeModel(
        Dictionary<string, int> vocab,
        IReadOnlyList<(string Left, string Right)> merges,
        bool byteFallback,
        string? unknownToken,
        bool fuseUnknown,
        bool ignoreMerges,
        string source)
    {
        _vocab = vocab;
        _vocabBySpan = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        _fuseUnknown = fuseUnknown;
        _ignoreMerges = ignoreMerges;
        _merges = new Dictionary<long, MergeRule>(merges.Count);
        for (var rank = 0; rank < merges.Count; rank++)
        {
            var (left, right) = merges[rank];
            if (!vocab.TryGetValue(left, out var leftId) || !vocab.TryGetValue(right, out var rightId))
            {
                throw JsonFile.Error(source, $"model.merges[{rank}]", $"(\"{left} {right}\") uses a token missing from model.vocab");
            }

            if (!vocab.TryGetValue(left + right, out var mergedId))
            {
                throw JsonFile.Error(source, $"model.merges[{rank}]", $"(\"{left} {right}\") produces \"{left + right}\", which is missing from model.vocab");
            }

            // A repeated pair keeps its last rank, as the reference loader's map does.
            _merges[PairKey(leftId, rightId)] = new MergeRule(rank, mergedId);
        }

        if (unknownToken is not null)
        {
            if (!vocab.TryGetValue(unknownToken, out var unknownId))
            {
                throw JsonFile.Error(source, "model.unk_token", $"(\"{unknownToken}\") is not in model.vocab");
            }

            _unknownId = unknownId;
        }

        if (byteFallback)
        {
            _byteFallbackIds = new int[256];
            for (var b = 0; b < 256; b++)
            {
                _byteFallbackIds[b] = vocab.TryGetValue(ByteFallbackToken(b), out var id) ? id : -1;
            }
        }
    }

    public IReadOnlyDictionary<string, int> Vocabulary => _vocab;

    public static string ByteFallbackToken(int value) => $"<0x{value:X2}>";

    /// <summary>Appends the ids of one pre-tokenized word.</summary>
    public void EncodeWord(ReadOnlySpan<char> word, List<int> output)
    {
        if (word.IsEmpty)
        {
            return;
        }

        if (_ignoreMerges && _vocabBySpan.TryGetValue(word, out var whole))
        {
            output.Add(whole);
            return;
        }

        if (_cacheBySpan.TryGetValue(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }

        var scratch = t_scratch ??= new MergeScratch();
        scratch.Reset();
        AddInitialSymbols(word, scratch);
        MergeAll(scratch);
        var start = output.Count;
        for (var i = 0; i != -1 && scratch.Symbols.Count > 0; i = scratch.Symbols[i].Next)
        {
            output.Add(scratch.Symbols[i].Id);
        }

        // ConcurrentDictionary.Count takes every lock; a counter keeps misses contention-free.
        if (word.Length <= MaxCachedWordLength && Volatile.Read(ref _cacheCount) < CacheCapacity
            && _cache.TryAdd(word.ToString(), output.GetRange(start, output.Count - start).ToArray()))
        {
            Interlocked.Increment(ref _cacheCount);
        }
    }

    private void AddInitialSymbols(ReadOnlySpan<char> word, MergeScratch scratch)
    {
        Span<byte> utf8 = stackalloc byte[4];
        var pendingUnknown = false;
        for (var i = 0; i < word.Length;)
        {
            var length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            var piece = word.Slice(i, length);
            i += length;
            if (_vocabBySpan.TryGetValue(piece, out var id))
            {
                if (pendingUnknown)
                {
                    scratch.Add(_unknownId!.Value);
                    pendingUnknown = false;
                }

                scratch.Add(id);
                continue;
            }

            if (_byteFallbackIds is not null && TryAddBytes(piece, utf8, scratch))
            {
                continue;
            }

            if (_unknownId is { } unknown)
            {
                // fuse_unk collapses a run of unknown characters into one unknown token.
                if (pendingUnknown && !_fuseUnknown)
                {
                    scratch.Add(unknown);
                }

                pendingUnknown = true;
            }
        }

        if (pendingUnknown)
        {
            scratch.Add(_unknownId!.Value);
        }
    }

    private bool TryAddBytes(ReadOnlySpan<char> piece, Span<byte> utf8, MergeScratch scratch)
    {
        var count = System.Text.Encoding.UTF8.GetBytes(piece, utf8);
        for (var b = 0; b < count; b++)
        {
            if (_byteFallbackIds![utf8[b]] < 0)
            {
                return false;
            }
        }

        for (var b = 0; b < count; b++)
        {
            scratch.Add(_byteFallbackIds![utf8[b]]);
        }

        return true;
    }

    // Lowest rank first, leftmost on ties; stale queue entries are skipped when popped. O(n log n).
    private void MergeAll(MergeScratch scratch)
    {
        var symbols = scratch.Symbols;
        var queue = scratch.Queue;
        for (var i = 0; i + 1 < symbols.Count; i++)
        {
            Enqueue(queue, symbols, i, i + 1);
        }

        while (queue.TryDequeue(out var candidate, out _))
        {
            var left = symbols[candidate.Position];
            if (left.Id < 0 || left.Next < 0)
            {
                continue;
            }

            var right = symbols[left.Next];
            if (!_merges.TryGetValue(PairKey(left.Id, right.Id), out var rule) || rule.MergedId != candidate.MergedId)
            {
                continue;
            }

            var rightIndex = left.Next;
            left.Id = rule.MergedId;
            left.Next = right.Next;
            symbols[candidate.Position] = left;
            symbols[rightIndex] = right with { Id = -1 };
            if (left.Next >= 0)
            {
                var after = symbols[left.Next];
                symbols[left.Next] = after with { Previous = candidate.Position };
                Enqueue(queue, symbols, candidate.Position, left.Next);
            }

            if (left.Previous >= 0)
            {
                Enqueue(queue, symbols, left.Previous, candidate.Position);
            }
        }
    }

    private void Enqueue(PriorityQueue<MergeCandidate, long> queue, List<Symbol> symbols, int leftIndex, int rightIndex)
    {
        if (_merges.TryGetValue(PairKey(symbols[leftIndex].Id, symbols[rightIndex].Id), out var rule))
        {
            queue.Enqueue(new MergeCandidate(leftIndex, rule.MergedId), ((long)rule.Rank << 32) | (uint)leftIndex);
        }
    }

    private static long PairKey(int left, int right) => ((long)left << 32) | (uint)right;

    private readonly record struct MergeRule(int Rank, int MergedId);

    private readonly record struct MergeCandidate(int Position, int MergedId);

    private record struct Symbol(int Id, int Previous, int Next);

    /// <summary>Per-thread buffers for merging one word, so a cache miss allocates only its result.</summary>
    private sealed class MergeScratch
    {
        public List<Symbol> Symbols { get; } = new();

        public PriorityQueue<MergeCandidate, long> Queue { get; } = new();

        public void Reset()
        {
            Symbols.Clear();
            Queue.Clear();
        }

        public void Add(int id)
        {
            var index = Symbols.Count;
            if (index > 0)
            {
                Symbols[index - 1] = Symbols[index - 1] with { Next = index };
            }

            Symbols.Add(new Symbol(id, index - 1, -1));
        }
    }
}
