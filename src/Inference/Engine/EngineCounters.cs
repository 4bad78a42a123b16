namespace Chat.Inference.Engine;

/// <summary>Cumulative engine counters since load (a consistent-per-field snapshot).</summary>
/// <param name="PrefillTokens">Prompt tokens run through the model.</param>
/// <param name="DecodeTokens">Incremental decode steps (one token each).</param>
/// <param name="CompletedSequences">Sequences that ended by stop or length.</param>
/// <param name="CancelledSequences">Sequences that ended cancelled (while waiting or running).</param>
/// <param name="CancelledTokens">Tokens generated for sequences that were then cancelled (wasted work).</param>
/// <param name="RejectedSequences">Submissions refused because the waiting queue was full.</param>
/// <param name="KvCachesCreated">KV caches allocated (one per admitted sequence).</param>
/// <param name="KvCachesReleased">KV caches freed; equals <paramref name="KvCachesCreated"/> when nothing runs.</param>
public readonly record struct EngineCounters(
    long PrefillTokens,
    long DecodeTokens,
    long CompletedSequences,
    long CancelledSequences,
    long CancelledTokens,
    long RejectedSequences,
    long KvCachesCreated,
    long KvCachesReleased)
{
    public long LiveKvCaches => KvCachesCreated - KvCachesReleased;
}
