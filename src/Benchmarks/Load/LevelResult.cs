namespace Chat.Benchmarks.Load;

/// <summary>
/// One target at one concurrency: aggregate and per-stream tokens/s (medians over repetitions and
/// streams), TTFT and inter-token latency percentiles over every stream of every repetition.
/// </summary>
internal sealed record LevelResult(
    string Target,
    int Streams,
    double AggregateTokensPerSecond,
    double PerStreamTokensPerSecond,
    double TtftP50Ms,
    double TtftP99Ms,
    double InterTokenP50Ms,
    double InterTokenP99Ms,
    int FailedStreams);
