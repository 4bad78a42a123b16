using System.Diagnostics;

namespace Chat.Benchmarks.Load;

/// <summary>Timestamps one stream's token events as a client sees them.</summary>
internal sealed class StreamClock
{
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly List<long> _tokens = new(512);

    public int Events => _tokens.Count;

    public void Token() => _tokens.Add(Stopwatch.GetTimestamp());

    /// <summary>The sample; <paramref name="reportedTokens"/> (from usage) wins over the event count when larger.</summary>
    public StreamSample Finish(int reportedTokens = 0) =>
        _tokens.Count == 0
            ? throw new InvalidOperationException("The stream ended without a token.")
            : new StreamSample(_started, _tokens, Math.Max(reportedTokens, _tokens.Count));
}
