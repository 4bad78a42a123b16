namespace Chat.Inference.Engine;

/// <summary>Admission refused: the waiting queue is full. The gateway maps it to 503 + Retry-After.</summary>
public sealed class EngineOverloadedException : Exception
{
    public EngineOverloadedException(string reason, TimeSpan retryAfter)
        : base($"The engine is over capacity ({reason}); retry after {retryAfter.TotalSeconds:0} s.")
    {
        Reason = reason;
        RetryAfter = retryAfter;
    }

    public EngineOverloadedException()
        : this("queue_full", TimeSpan.FromSeconds(1))
    {
    }

    public EngineOverloadedException(string message)
        : base(message)
    {
        Reason = "queue_full";
        RetryAfter = TimeSpan.FromSeconds(1);
    }

    public EngineOverloadedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = "queue_full";
        RetryAfter = TimeSpan.FromSeconds(1);
    }

    public string Reason { get; }

    public TimeSpan RetryAfter { get; }
}
