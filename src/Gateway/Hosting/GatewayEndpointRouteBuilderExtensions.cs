using Chat.Gateway.Health;
using Chat.Gateway.Observability;
using Chat.Gateway.Predict;
using Prometheus;

namespace Chat.Gateway.Hosting;

/// <summary>Maps every API area; each area lives in its own static class.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.UseHttpMetrics();
        app.MapHealthApi();
        app.MapMetricsApi();
        app.MapPredictApi();
        return app;
    }
}
