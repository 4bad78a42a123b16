using System.Diagnostics;

namespace Chat.Benchmarks.Load;

/// <summary>
/// Opens N concurrent streams against a target, all sent at once, and repeats that a few times per
/// N. Aggregate tokens/s is every completion token over the wall time from the first request to the
/// last token; repetitions give a median, which is what a noisy shared machine allows.
/// </summary>
internal static class LoadRunner
{
    public static async Task<LevelResult> RunAsync(IStreamTarget target, int streams, int repetitions, CancellationToken cancellationToken)
    {
        var samples = new List<StreamSample>();
        var aggregates = new List<double>();
        var failed = 0;
        for (var repetition = 0; repetition < repetitions; repetition++)
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
            failed += streams - done.Count;
            if (done.Count == 0)
            {
                continue;
            }

            samples.AddRange(done);
            var wall = Stopwatch.GetElapsedTime(start, done.Max(s => s.Finished)).TotalSeconds;
            aggregates.Add(done.Sum(s => s.CompletionTokens) / wall);
        }

        if (samples.Count == 0)
        {
            return new LevelResult(target.Name, streams, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, failed);
        }

        var ttft = samples.Select(s => s.TimeToFirstTokenMs).ToArray();
        var gaps = samples.SelectMany(s => s.InterTokenMs()).ToArray();
        return new LevelResult(
            target.Name,
            streams,
            Percentile(aggregates, 50),
            Percentile(samples.Select(s => s.TokensPerSecond), 50),
            Percentile(ttft, 50),
            Percentile(ttft, 99),
            Percentile(gaps, 50),
            Percentile(gaps, 99),
            failed);
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
