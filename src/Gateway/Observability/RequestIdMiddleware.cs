namespace Chat.Gateway.Observability;

/// <summary>
/// Accepts the caller's <c>X-Request-Id</c> (when it is short and printable) or makes one, echoes it
/// on the response, uses it as the request's trace identifier and puts it in every log scope of the
/// request as <c>XRequestId</c>.
/// </summary>
public sealed class RequestIdMiddleware(RequestDelegate next, ILogger<RequestIdMiddleware> logger)
{
    public const string HeaderName = "X-Request-Id";
    private const int MaxLength = 128;

    public async Task InvokeAsync(HttpContext context)
    {
        var requestId = context.Request.Headers[HeaderName].ToString();
        if (!IsAcceptable(requestId))
        {
            requestId = Guid.NewGuid().ToString("N");
        }

        context.TraceIdentifier = requestId;
        context.Response.Headers[HeaderName] = requestId;
        using (logger.BeginScope(new RequestIdScope(requestId)))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>Short printable ASCII without spaces: safe to echo in headers and logs (also the rule for <c>X-Client-Id</c>).</summary>
    internal static bool IsAcceptable(string value)
    {
        if (value.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (c is < '!' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A structured scope: JSON logs show it as <c>{"XRequestId":"..."}</c>.</summary>
    private sealed class RequestIdScope(string requestId) : IReadOnlyList<KeyValuePair<string, object>>
    {
        public int Count => 1;

        public KeyValuePair<string, object> this[int index] =>
            index == 0 ? new KeyValuePair<string, object>("XRequestId", requestId) : throw new ArgumentOutOfRangeException(nameof(index));

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator()
        {
            yield return this[0];
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => "XRequestId:" + requestId;
    }
}
