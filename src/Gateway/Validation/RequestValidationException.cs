namespace Chat.Gateway.Validation;

/// <summary>
/// A client's mistake, found before any response byte was written; the endpoint filter turns it into
/// RFC 9457 problem details whose <c>errors</c> map names each offending field.
/// </summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException(IReadOnlyDictionary<string, string[]> errors, int statusCode = StatusCodes.Status400BadRequest)
        : base(string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")))
    {
        Errors = errors;
        StatusCode = statusCode;
    }

    public RequestValidationException(string field, string message, int statusCode = StatusCodes.Status400BadRequest)
        : this(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] }, statusCode)
    {
    }

    public RequestValidationException()
        : this("body", "The request is invalid.")
    {
    }

    public RequestValidationException(string message)
        : this("body", message)
    {
    }

    public RequestValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = new Dictionary<string, string[]>(StringComparer.Ordinal) { ["body"] = [message] };
        StatusCode = StatusCodes.Status400BadRequest;
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public int StatusCode { get; }

    /// <summary>The first offending field, also written as the problem's <c>field</c> extension.</summary>
    public string Field => Errors.Keys.First();
}
