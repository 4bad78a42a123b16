namespace Chat.Gateway.Realtime.Internal;

/// <summary>A realtime client's request refused with a typed error (limits, conversations, a failed stream).</summary>
internal sealed class RealtimeException : Exception
{
    public RealtimeException(string type, string? field, string message)
        : base(message)
    {
        Type = type;
        Field = field;
    }

    public RealtimeException()
        : this("server_error", null, "The request failed.")
    {
    }

    public RealtimeException(string message)
        : this("server_error", null, message)
    {
    }

    public RealtimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        Type = "server_error";
    }

    public string Type { get; }

    public string? Field { get; }
}
