namespace Chat.Inference.Engine;

public enum FinishReason
{
    /// <summary>An end-of-sequence token or a stop string.</summary>
    Stop,

    /// <summary>max tokens or the context length.</summary>
    Length,

    /// <summary>The caller cancelled.</summary>
    Cancelled,
}
