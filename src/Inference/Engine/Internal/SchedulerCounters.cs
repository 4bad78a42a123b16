namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Counters written by the loop thread (and by cancelling callers) and read by anyone; each field is
/// updated with Interlocked so a snapshot never tears a value.
/// </summary>
internal sealed class SchedulerCounters
{
    private const double ServiceTimeSmoothing = 0.2;

    private long _prefillTokens;
    private long _decodeTokens;
    private long _completed;
    private long _cancelled;
    private long _cancelledTokens;
    private long _rejected;
    private long _cachesCreated;
    private long _cachesReleased;
    private long _serviceTicks;

    public void Prefilled(int tokens) => Interlocked.Add(ref _prefillTokens, tokens);

    public void Decoded() => Interlocked.Increment(ref _decodeTokens);

    public void Cancelled(int wastedTokens)
    {
        Interlocked.Increment(ref _cancelled);
        Interlocked.Add(ref _cancelledTokens, wastedTokens);
    }

    public void Rejected() => Interlocked.Increment(ref _rejected);

    public void CacheCreated() => Interlocked.Increment(ref _cachesCreated);

    public void CacheReleased() => Interlocked.Increment(ref _cachesReleased);

    /// <summary>A sequence finished normally after <paramref name="serviceTime"/> in the running set.</summary>
    public void Completed(TimeSpan serviceTime)
    {
        Interlocked.Increment(ref _completed);
        var previous = Interlocked.Read(ref _serviceTicks);
        var next = previous == 0 ? serviceTime.Ticks : (long)((previous * (1 - ServiceTimeSmoothing)) + (serviceTime.Ticks * ServiceTimeSmoothing));
        Interlocked.Exchange(ref _serviceTicks, next);
    }

    /// <summary>
    /// Time until a slot is likely free: the waiting queue drains MaxBatchSize sequences per average
    /// service time. At least one second, since Retry-After has whole-second resolution.
    /// </summary>
    public TimeSpan EstimateRetryAfter(int waiting, int maxBatchSize)
    {
        var service = TimeSpan.FromTicks(Interlocked.Read(ref _serviceTicks));
        var rounds = Math.Ceiling((double)waiting / Math.Max(maxBatchSize, 1));
        var estimate = service * rounds;
        return estimate < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(Math.Ceiling(estimate.TotalSeconds));
    }

    public EngineCounters Snapshot() => new(
        Interlocked.Read(ref _prefillTokens),
        Interlocked.Read(ref _decodeTokens),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _cancelled),
        Interlocked.Read(ref _cancelledTokens),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _cachesCreated),
        Interlocked.Read(ref _cachesReleased));
}
