namespace Chat.Gateway.Hosting;

/// <summary>Outcome label of <c>gateway_requests_total</c>; set by the handler, read by the request filter.</summary>
public static class RequestOutcome
{
    public const string Ok = "ok";
    public const string Cancelled = "cancelled";
    public const string Error = "error";
    public const string ClientError = "client_error";
    public const string NotReady = "not_ready";
    public const string Overloaded = "overloaded";

    private const string ItemKey = "gateway.outcome";

    public static void Set(HttpContext context, string outcome) => context.Items[ItemKey] = outcome;

    public static string Get(HttpContext context) =>
        context.Items.TryGetValue(ItemKey, out var value) && value is string outcome ? outcome : Ok;
}
