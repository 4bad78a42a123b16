using Chat.Gateway.Observability;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Pipeline;

public static class TokenMetricsChatClientBuilderExtensions
{
    /// <summary>Adds <see cref="TokenMetricsChatClient"/>: token timings and counts on the gateway's metrics.</summary>
    public static ChatClientBuilder UseTokenMetrics(this ChatClientBuilder builder) =>
        builder.Use((inner, services) => new TokenMetricsChatClient(inner, services.GetRequiredService<GatewayMetrics>()));
}
