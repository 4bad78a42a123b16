using System.Diagnostics.Metrics;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// The scheduler's counters, kept twice on purpose: Interlocked fields for <see cref="EngineCounters"/>
/// snapshots (tests, the benchmark) and System.Diagnostics.Metrics instruments on the engine's
/// "Chat.Inference" meter (exported by whatever listens, e.g. prometheus-net's MeterAdapter).
/// Written by the loop thread and by submitting or cancelling callers; read by anyone.
/// Recording without tags allocates nothing, so the per-step calls stay off the GC.
/// </summary>
internal sealed class SchedulerCounters : IDisposable
{
    public const string MeterName = "Chat.Inference";
    private const double Smoothing = 0.2;

    private readonly Meter _meter;
    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _stepDuration;
    private readonly Histogram<double> _queueDuration;
    private readonly Counter<long> _rejections;
    private readonly Counter<long> _wastedTokens;
    private readonly Counter<long> _prefillTokenCounter;
    private readonly Counter<long> _decodeTokenCounter;
    private readonly Counter<long> _modelCallCounter;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _prefixHitCounter;
    private readonly Counter<long> _reusedTokenCounter;
    private readonly Lock _rateGate = new();

    private long _prefillTokens;
    private long _decodeTokens;
    private long _completed;
    private long _cancelled;
    private long _cancelledTokens;
    private long _rejected;
    private long _cachesCreated;
    private long _cachesReleased;
    private long _steps;
    private long _modelCalls;
    private long _prefixHits;
    private long _reusedTokens;
    private double _tokensPerSecond;
    private double _tokensPerSequence;

    public SchedulerCounters(Func<int> running, Func<int> waiting)
    {
        _meter = new Meter(MeterName, typeof(SchedulerCounters).Assembly.GetName().Version?.ToString());
        _meter.CreateObservableGauge("chat.engine.running_sequences", running, "{sequence}", "Sequences being prefilled or decoded.");
        _meter.CreateObservableGauge("chat.engine.waiting_sequences", waiting, "{sequence}", "Sequences admitted to the queue and waiting for a slot.");
        _batchSize = _meter.CreateHistogram<int>("chat.engine.batch_size", "{sequence}", "Sequences decoded together per decode step.");
        _stepDuration = _meter.CreateHistogram<double>("chat.engine.step.duration", "s", "Duration of one scheduler step (prefill call plus decode call).");
        _queueDuration = _meter.CreateHistogram<double>("chat.engine.queue.duration", "s", "Time from submission to a running slot.");
        _rejections = _meter.CreateCounter<long>("chat.engine.admission.rejections", "{sequence}", "Submissions refused at admission, by reason.");
        _wastedTokens = _meter.CreateCounter<long>("chat.engine.wasted_tokens", "{token}", "Tokens generated for sequences that were then cancelled.");
        _prefillTokenCounter = _meter.CreateCounter<long>("chat.engine.prefill_tokens", "{token}", "Prompt tokens run through the model.");
        _decodeTokenCounter = _meter.CreateCounter<long>("chat.engine.decode_tokens", "{token}", "Tokens decoded incrementally.");
        _modelCallCounter = _meter.CreateCounter<long>("chat.engine.model_calls", "{call}", "ONNX Runtime runs (prefill and batched decode).");
        _finished = _meter.CreateCounter<long>("chat.engine.sequences", "{sequence}", "Sequences that ended, by finish reason.");
        _prefixHitCounter = _meter.CreateCounter<long>("chat.engine.prefix_cache.hits", "{sequence}", "Sequences that started from a kept KV prefix.");
        _reusedTokenCounter = _meter.CreateCounter<long>("chat.engine.prefix_cache.reused_tokens", "{token}", "Prompt tokens taken from kept KV prefixes instead of prefill.");
    }

    public Meter Meter => _meter;

    public void Prefilled(int tokens)
    {
        Interlocked.Add(ref _prefillTokens, tokens);
        Interlocked.Increment(ref _modelCalls);
        _prefillTokenCounter.Add(tokens);
        _modelCallCounter.Add(1);
    }

    /// <summary>A sequence starts from a kept prefix of <paramref name="tokens"/> positions.</summary>
    public void PrefixReused(int tokens)
    {
        Interlocked.Increment(ref _prefixHits);
        Interlocked.Add(ref _reusedTokens, tokens);
        _prefixHitCounter.Add(1);
        _reusedTokenCounter.Add(tokens);
    }

    public void Decoded(int batch)
    {
        Interlocked.Add(ref _decodeTokens, batch);
        Interlocked.Increment(ref _modelCalls);
        _decodeTokenCounter.Add(batch);
        _modelCallCounter.Add(1);
        _batchSize.Record(batch);
    }

    /// <summary>A step generated <paramref name="tokens"/> tokens in <paramref name="duration"/>; feeds the rate behind Retry-After.</summary>
    public void Stepped(TimeSpan duration, int tokens)
    {
        Interlocked.Increment(ref _steps);
        _stepDuration.Record(duration.TotalSeconds);
        if (tokens > 0 && duration > TimeSpan.Zero)
        {
            lock (_rateGate)
            {
                _tokensPerSecond = Smooth(_tokensPerSecond, tokens / duration.TotalSeconds);
            }
        }
    }

    public void Queued(TimeSpan queueTime) => _queueDuration.Record(queueTime.TotalSeconds);

    public void Cancelled(int wastedTokens)
    {
        Interlocked.Increment(ref _cancelled);
        Interlocked.Add(ref _cancelledTokens, wastedTokens);
        _wastedTokens.Add(wastedTokens);
        _finished.Add(1, new KeyValuePair<string, object?>("finish_reason", "cancelled"));
    }

    public void Failed() => _finished.Add(1, new KeyValuePair<string, object?>("finish_reason", "error"));

    public void Rejected(string reason)
    {
        Interlocked.Increment(ref _rejected);
        _rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public void CacheCreated() => Interlocked.Increment(ref _cachesCreated);

    public void CacheReleased() => Interlocked.Increment(ref _cachesReleased);

    /// <summary>A sequence finished normally after generating <paramref name="tokens"/> tokens.</summary>
    public void Completed(FinishReason reason, int tokens)
    {
        Interlocked.Increment(ref _completed);
        _finished.Add(1, new KeyValuePair<string, object?>("finish_reason", reason == FinishReason.Stop ? "stop" : "length"));
        lock (_rateGate)
        {
            _tokensPerSequence = Smooth(_tokensPerSequence, tokens);
        }
    }

    /// <summary>
    /// Time until a slot is likely free for a newcomer behind <paramref name="waiting"/> sequences: a slot
    /// frees each time the running batch completes a sequence, i.e. every (tokens per sequence) /
    /// (tokens per second) seconds, both measured as moving averages (a rejected request's own
    /// <paramref name="maxNewTokens"/> stands in until a sequence has completed). At least one second,
    /// since Retry-After has whole-second resolution.
    /// </summary>
    public TimeSpan EstimateRetryAfter(int waiting, int maxNewTokens)
    {
        double rate, perSequence;
        lock (_rateGate)
        {
            rate = _tokensPerSecond;
            perSequence = _tokensPerSequence > 0 ? _tokensPerSequence : maxNewTokens;
        }

        var seconds = rate > 0 ? Math.Ceiling((waiting + 1) * perSequence / rate) : 1;
        return TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 3600));
    }

    public EngineCounters Snapshot() => new(
        Interlocked.Read(ref _prefillTokens),
        Interlocked.Read(ref _decodeTokens),
        Interlocked.Read(ref _completed),
        Interlocked.Read(ref _cancelled),
        Interlocked.Read(ref _cancelledTokens),
        Interlocked.Read(ref _rejected),
        Interlocked.Read(ref _cachesCreated),
        Interlocked.Read(ref _cachesReleased),
        Interlocked.Read(ref _steps),
        Interlocked.Read(ref _modelCalls),
        Interlocked.Read(ref _prefixHits),
        Interlocked.Read(ref _reusedTokens));

    public void Dispose() => _meter.Dispose();

    private static double Smooth(double previous, double sample) =>
        previous == 0 ? sample : (previous * (1 - Smoothing)) + (sample * Smoothing);
}
