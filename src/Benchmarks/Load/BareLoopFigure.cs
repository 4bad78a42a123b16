namespace Chat.Benchmarks.Load;

/// <summary>The bare ORT loop's batch-1 decode rate (median of runs) on the same model and prompt.</summary>
internal sealed record BareLoopFigure(double DecodeTokensPerSecond);
