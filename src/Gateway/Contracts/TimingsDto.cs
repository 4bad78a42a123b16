namespace Chat.Gateway.Contracts;

/// <summary>Engine timings of one generation, in milliseconds (tokens/s over the decode phase).</summary>
public sealed record TimingsDto(double TtftMs, double TokensPerSecond, double QueueMs, double TotalMs);
