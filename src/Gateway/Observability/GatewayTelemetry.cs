namespace Chat.Gateway.Observability;

/// <summary>Names under which the gateway's traces and meters appear.</summary>
public static class GatewayTelemetry
{
    public const string SourceName = "Chat.Gateway";
}
