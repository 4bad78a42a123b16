namespace Chat.Gateway.Streams.Internal;

/// <summary>The per-stream settings every <see cref="GenerationStream"/> of one registry shares.</summary>
internal sealed record StreamLimits(TimeProvider Time, TimeSpan DisconnectGrace, int MaxBytesPerStream, int SubscriberBufferEvents);
