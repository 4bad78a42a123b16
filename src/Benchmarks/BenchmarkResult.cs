namespace Chat.Benchmarks;

/// <summary>One measured run: prefill and decode throughput and managed allocation per decoded token.</summary>
internal readonly record struct BenchmarkResult(double PrefillTokensPerSecond, double DecodeTokensPerSecond, double BytesPerDecodeToken)
{
    /// <summary>The run with the median decode rate (prefill and allocation taken from the same run).</summary>
    public static BenchmarkResult Median(IReadOnlyList<BenchmarkResult> runs) =>
        runs.OrderBy(r => r.DecodeTokensPerSecond).ElementAt(runs.Count / 2);
}
