namespace Chat.Gateway.Engine;

/// <summary>The chat model is still loading or failed to load; the gateway answers 503 + Retry-After.</summary>
public sealed class ChatModelNotReadyException : Exception
{
    public ChatModelNotReadyException()
        : this("The chat model is not ready.")
    {
    }

    public ChatModelNotReadyException(string message)
        : base(message)
    {
    }

    public ChatModelNotReadyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
