namespace Chat.Gateway.Options;

/// <summary>The <c>Gateway</c> section: process-wide switches.</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>One JSON object per log line on the console (with scopes such as the request id).</summary>
    public bool JsonLogs { get; set; }
}
