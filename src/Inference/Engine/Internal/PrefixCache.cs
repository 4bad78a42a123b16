using Chat.Inference.Onnx;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Keys and values of recently finished sequences (prompt plus generated tokens), so that a new
/// prompt extending one of them (a conversation's next turn: previous prompt + answer + new message)
/// prefills only what follows the shared prefix. Least recently used entries go first, bounded by
/// entry count and by native bytes. An entry handed to a sequence leaves the cache until the
/// prefiller has copied its prefix (<see cref="Return"/>), so eviction never frees memory still to be
/// read. Loop thread only.
/// </summary>
internal sealed class PrefixCache : IDisposable
{
    /// <summary>Shorter shared prefixes are not worth a lookup hit (the copy costs about as much as the prefill).</summary>
    public const int MinimumPrefix = 16;

    private readonly LinkedList<PrefixEntry> _entries = new();
    private readonly DecoderRunner _runner;
    private readonly int _maxEntries;
    private readonly long _maxBytes;
    private long _bytes;

    public PrefixCache(DecoderRunner runner, int maxEntries, long maxBytes)
    {
        _runner = runner;
        _maxEntries = maxEntries;
        _maxBytes = maxBytes;
    }

    public int Count => _entries.Count;

    public long Bytes => _bytes;

    /// <summary>
    /// Takes out the entry sharing the longest token prefix with <paramref name="prompt"/> (at least
    /// <see cref="MinimumPrefix"/>, and short of the whole prompt so a token is left to prefill);
    /// null when none does. <paramref name="shared"/> is the number of positions to reuse.
    /// </summary>
    public PrefixEntry? Take(int[] prompt, out int shared)
    {
        shared = 0;
        LinkedListNode<PrefixEntry>? best = null;
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            var common = Math.Min(prompt.AsSpan().CommonPrefixLength(node.Value.Tokens), prompt.Length - 1);
            if (common >= MinimumPrefix && common > shared)
            {
                shared = common;
                best = node;
            }
        }

        if (best is null)
        {
            return null;
        }

        _entries.Remove(best);
        _bytes -= best.Value.Bytes;
        return best.Value;
    }

    /// <summary>Puts a taken entry back as the most recently used one.</summary>
    public void Return(PrefixEntry entry) => Insert(entry);

    /// <summary>Keeps a copy of <paramref name="row"/>, whose positions hold <paramref name="tokens"/>.</summary>
    public void Store(KvRowSource row, ReadOnlySpan<int> tokens)
    {
        if (_maxEntries == 0 || tokens.Length < MinimumPrefix || tokens.Length != row.Length)
        {
            return;
        }

        // An entry that another covers (same or longer tokens with it as prefix) adds nothing.
        for (var node = _entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Tokens.AsSpan().StartsWith(tokens))
            {
                return;
            }
        }

        var cache = _runner.CreateCache(1);
        cache.LoadPrefix(row, tokens.Length);
        Insert(new PrefixEntry(tokens.ToArray(), cache));
    }

    public void Dispose()
    {
        foreach (var entry in _entries)
        {
            entry.Cache.Dispose();
        }

        _entries.Clear();
        _bytes = 0;
    }

    private void Insert(PrefixEntry entry)
    {
        // Entries this one extends are superseded (a conversation keeps only its latest turn).
        for (var node = _entries.First; node is not null;)
        {
            var next = node.Next;
            if (entry.Tokens.AsSpan().StartsWith(node.Value.Tokens))
            {
                Evict(node);
            }

            node = next;
        }

        _entries.AddFirst(entry);
        _bytes += entry.Bytes;
        while (_entries.Count > _maxEntries || (_bytes > _maxBytes && _entries.Count > 0))
        {
            Evict(_entries.Last!);
        }
    }

    private void Evict(LinkedListNode<PrefixEntry> node)
    {
        _entries.Remove(node);
        _bytes -= node.Value.Bytes;
        node.Value.Cache.Dispose();
    }
}
