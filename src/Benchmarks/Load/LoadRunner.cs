using System.Diagnostics;

namespace Chat.Benchmarks.Load;

/// <summary>
/// Opens N concurrent streams against a target, all sent at once. Aggregate tokens/s of one
/// repetition is every completion token over the wall time from the first request to the last
/// token; a <see cref="LevelAccumulator"/> gathers repetitions into medians, which is what a noisy
/// shared machine allows.
/// </summary>
internal static class LoadRunner
{
    public static async Task RunOnceAsync(IStreamTarget target, int streams, LevelAccumulator into, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var runs = Enumerable.Range(0, streams).Select(_ => Task.Run(() => target.RunAsync(cancellationToken), cancellationToken)).ToArray();
        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (Exception) when (runs.Any(r => r.IsCompletedSuccessfully))
        {
            // Some streams failed (e.g. 503 from a full server); the others still count.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Console.Error.WriteLine($"{target.Name} x{streams}: every stream failed: {ex.Message}");
        }

        var done = runs.Where(r => r.IsCompletedSuccessfully).Select(r => r.Result).ToList();
        into.Add(start, done, streams - done.Count);
    }

    /// <summary>Nearest-rank percentile; NaN for no values.</summary>
    public static double Percentile(IEnumerable<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}

/// <summary>One target at one concurrency over its repetitions.</summary>
internal sealed class LevelAccumulator(string target, int streams)
{
    private readonly List<StreamSample> _samples = [];
    private readonly List<double> _aggregates = [];
    private int _failed;

    public void Add(long started, IReadOnlyList<StreamSample> done, int failed)
    {
        _failed += failed;
        if (done.Count == 0)
        {
            return;
        }

        _samples.AddRange(done);
        var wall = Stopwatch.GetElapsedTime(started, done.Max(s => s.Finished)).TotalSeconds;
        _aggregates.Add(done.Sum(s => s.CompletionTokens) / wall);
    }

    public LevelResult Result()
    {
        if (_samples.Count == 0)
        {
            return new LevelResult(target, streams, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, _failed);
        }

        var ttft = _samples.Select(s => s.TimeToFirstTokenMs).ToArray();
        var gaps = _samples.SelectMany(s => s.InterTokenMs()).ToArray();
        return new LevelResult(
            target,
            streams,
            LoadRunner.Percentile(_aggregates, 50),
            LoadRunner.Percentile(_samples.Select(s => s.TokensPerSecond), 50),
            LoadRunner.Percentile(ttft, 50),
            LoadRunner.Percentile(ttft, 99),
            LoadRunner.Percentile(gaps, 50),
            LoadRunner.Percentile(gaps, 99),
            _failed);
    }
}
