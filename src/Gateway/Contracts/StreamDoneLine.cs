namespace Chat.Gateway.Contracts;

/// <summary>Last NDJSON line (and SSE <c>event: done</c> data) of a native stream.</summary>
public sealed record StreamDoneLine(bool Done, string StreamId, string FinishReason, UsageDto Usage, TimingsDto Timings);
