namespace Chat.Inference.Engine;

/// <summary>Cumulative engine counters since load (a consistent-per-field snapshot).</summary>
/// <param name="PrefillTokens">Prompt tokens run through the model.</param>
/// <param name="DecodeTokens">Tokens decoded incrementally (one per running sequence per decode step).</param>
/// <param name="CompletedSequences">Sequences that ended by stop or length.</param>
/// <param name="CancelledSequences">Sequences that ended cancelled (while waiting or running).</param>
/// <param name="CancelledTokens">Tokens generated for sequences that were then cancelled (wasted work).</param>
/// <param name="RejectedSequences">Submissions refused because the waiting queue was full.</param>
/// <param name="KvCachesCreated">Sequences that got KV rows (one per sequence that started prefill).</param>
/// <param name="KvCachesReleased">Sequences whose KV rows were dropped; equals <paramref name="KvCachesCreated"/> when nothing runs.</param>
/// <param name="Steps">Scheduler steps (each: at most one prefill call, then one decode call for the running batch).</param>
/// <param name="ModelCalls">ONNX Runtime runs (prefill chunks or groups, and batched decode steps).</param>
/// <param name="PrefixCacheHits">Sequences whose prompt started from a kept KV prefix of an earlier sequence.</param>
/// <param name="PrefixCacheReusedTokens">Prompt tokens taken from kept KV prefixes (not counted in <paramref name="PrefillTokens"/>).</param>
public readonly record struct EngineCounters(
    long PrefillTokens,
    long DecodeTokens,
    long CompletedSequences,
    long CancelledSequences,
    long CancelledTokens,
    long RejectedSequences,
    long KvCachesCreated,
    long KvCachesReleased,
    long Steps,
    long ModelCalls,
    long PrefixCacheHits = 0,
    long PrefixCacheReusedTokens = 0)
{
    public long LiveKvCaches => KvCachesCreated - KvCachesReleased;
}
