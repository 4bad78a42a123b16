namespace Chat.Gateway.Streams;

/// <summary>A resume or cancel that names a stream the caller may not attach to, with the reason.</summary>
public sealed class StreamAccessException : Exception
{
    public StreamAccessException(StreamAccessError error, string message)
        : base(message)
    {
        Error = error;
    }

    public StreamAccessException()
        : this(StreamAccessError.NotFound, "The stream does not exist.")
    {
    }

    public StreamAccessException(string message)
        : this(StreamAccessError.NotFound, message)
    {
    }

    public StreamAccessException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = StreamAccessError.NotFound;
    }

    public StreamAccessError Error { get; }

    /// <summary>The field a client got wrong: the stream id, or the index it resumes from.</summary>
    public string Field => Error is StreamAccessError.Gone or StreamAccessError.InvalidIndex ? "from" : "stream_id";

    public int StatusCode => Error switch
    {
        StreamAccessError.NotFound => StatusCodes.Status404NotFound,
        StreamAccessError.Forbidden => StatusCodes.Status403Forbidden,
        StreamAccessError.Gone => StatusCodes.Status410Gone,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The error type realtime clients see (<c>not_found</c>, <c>forbidden</c>, <c>gone</c>, <c>invalid_request</c>).</summary>
    public string ErrorType => Error switch
    {
        StreamAccessError.NotFound => "not_found",
        StreamAccessError.Forbidden => "forbidden",
        StreamAccessError.Gone => "gone",
        _ => "invalid_request",
    };
}
