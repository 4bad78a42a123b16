using Chat.Inference.Engine.Internal;

namespace Chat.Inference.Engine;

/// <summary>How <see cref="DecoderEngine"/> loads and schedules (maps to the <c>ChatModel</c> config section).</summary>
public sealed record EngineOptions
{
    /// <summary>Sequences that hold a running slot (prefilling, or decoded together in one batched model call per step); the rest wait in the queue.</summary>
    public int MaxBatchSize { get; init; } = 16;

    /// <summary>
    /// Waiting sequences before submissions are refused with <see cref="EngineOverloadedException"/>
    /// (whose Retry-After comes from the queue length and the measured token rate). Free running slots
    /// do not count: a request that a slot takes at once never waits.
    /// </summary>
    public int MaxQueue { get; init; } = 256;

    /// <summary>
    /// Prompt tokens prefilled per scheduler step: longer prompts run in chunks of this size between
    /// decode steps of the running batch, so a long prompt delays running streams by one chunk per
    /// step instead of its whole prefill. Short prompts share one call up to this many positions.
    /// </summary>
    public int PrefillChunkTokens { get; init; } = 256;

    /// <summary>
    /// Finished sequences whose keys and values are kept so that a prompt extending one (a
    /// conversation's next turn) prefills only the new part; 0 disables the reuse. Least recently
    /// used entries are evicted first.
    /// </summary>
    public int PrefixCacheEntries { get; init; } = 8;

    /// <summary>Native memory the kept prefixes may hold together; the least recently used go first beyond it.</summary>
    public long PrefixCacheBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>A chat template that replaces the model's own (Jinja text); null uses the model's.</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>ONNX Runtime intra-op threads; 0 uses the config's value or else one per core.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Intra-op threads for a call that decodes one token of one sequence (a lone stream), served by a
    /// second session of the same graph (it holds its own copy of the weights). -1 (the default)
    /// measures at load whether a one-thread session decodes faster than the main one and keeps it
    /// only then; 0 lets the main session serve every call; n &gt; 0 uses n threads for those calls.
    /// </summary>
    public int SingleSequenceThreads { get; init; } = -1;

    /// <summary>Model id reported to clients; null uses the model folder's name.</summary>
    public string? ModelId { get; init; }

    /// <summary>Observes the loop step by step (tests count steps with it); called on the loop thread.</summary>
    internal ISchedulerTrace? Trace { get; init; }

    internal void Validate()
    {
        if (MaxBatchSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBatchSize), MaxBatchSize, "MaxBatchSize must be at least 1.");
        }

        if (MaxQueue < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueue), MaxQueue, "MaxQueue must not be negative.");
        }

        if (PrefillChunkTokens < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefillChunkTokens), PrefillChunkTokens, "PrefillChunkTokens must be at least 1.");
        }

        if (PrefixCacheEntries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefixCacheEntries), PrefixCacheEntries, "PrefixCacheEntries must not be negative.");
        }

        if (PrefixCacheBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PrefixCacheBytes), PrefixCacheBytes, "PrefixCacheBytes must not be negative.");
        }

        if (IntraOpThreads < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), IntraOpThreads, "IntraOpThreads must not be negative.");
        }

        if (SingleSequenceThreads < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(SingleSequenceThreads), SingleSequenceThreads, "SingleSequenceThreads must be -1 (measure), 0 (off) or a thread count.");
        }
    }
}
