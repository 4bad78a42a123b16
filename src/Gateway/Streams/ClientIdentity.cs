using System.Net;
using Chat.Gateway.Observability;

namespace Chat.Gateway.Streams;

/// <summary>
/// Who owns a stream: only the same identity may resume or cancel it. Until API keys exist this is
/// the caller's <c>X-Client-Id</c> header (printable ASCII, at most 128 characters; a browser tab or
/// app instance picks one and keeps it) or, without the header, the remote IP address. The header is
/// an ownership token between cooperating clients, not authentication.
/// </summary>
public static class ClientIdentity
{
    public const string HeaderName = "X-Client-Id";

    public static string Of(HttpContext context)
    {
        var header = context.Request.Headers[HeaderName].ToString();
        if (RequestIdMiddleware.IsAcceptable(header))
        {
            return "client:" + header;
        }

        return "ip:" + (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
    }
}
