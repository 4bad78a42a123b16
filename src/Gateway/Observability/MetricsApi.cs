using Prometheus;

namespace Chat.Gateway.Observability;

public static class MetricsApi
{
    /// <summary>Prometheus text at <c>/metrics</c>.</summary>
    public static IEndpointRouteBuilder MapMetricsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapMetrics("/metrics");
        return routes;
    }
}
