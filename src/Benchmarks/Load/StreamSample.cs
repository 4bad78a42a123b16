using System.Diagnostics;

namespace Chat.Benchmarks.Load;

/// <summary>
/// One finished stream: when it was sent and when each token arrived (Stopwatch timestamps), and the
/// completion token count the server reported (which may exceed the events when one event carries
/// several tokens).
/// </summary>
internal sealed record StreamSample(long Started, IReadOnlyList<long> TokenTimes, int CompletionTokens)
{
    public double TimeToFirstTokenMs => Stopwatch.GetElapsedTime(Started, TokenTimes[0]).TotalMilliseconds;

    public long Finished => TokenTimes[^1];

    /// <summary>Decode rate after the first token (the first token's wait is TTFT, not streaming speed).</summary>
    public double TokensPerSecond =>
        CompletionTokens <= 1 ? 0 : (CompletionTokens - 1) / Stopwatch.GetElapsedTime(TokenTimes[0], Finished).TotalSeconds;

    public IEnumerable<double> InterTokenMs()
    {
        for (var i = 1; i < TokenTimes.Count; i++)
        {
            yield return Stopwatch.GetElapsedTime(TokenTimes[i - 1], TokenTimes[i]).TotalMilliseconds;
        }
    }
}
