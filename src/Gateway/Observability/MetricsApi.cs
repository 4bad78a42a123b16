using Prometheus;

namespace Chat.Gateway.Observability;

public static class MetricsApi
{
    /// <summary>Prometheus text at <c>/metrics</c>, from the registry the gateway's instruments live on.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMetrics("/metrics", routes.ServiceProvider.GetRequiredService<CollectorRegistry>());
        return routes;
    }
}
