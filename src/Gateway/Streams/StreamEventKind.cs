namespace Chat.Gateway.Streams;

public enum StreamEventKind
{
    /// <summary>A generated token (its text may be empty while the engine holds text back).</summary>
    Token,

    /// <summary>The generation ended: finish reason, usage and timings. Always the last event unless an error is.</summary>
    Done,

    /// <summary>The generation failed after it began. The last event.</summary>
    Error,
}
