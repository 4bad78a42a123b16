using Chat.Gateway.Catalog;
using Chat.Gateway.Chat;
using Chat.Gateway.Health;
using Chat.Gateway.Observability;
using Chat.Gateway.OpenAi;
using Chat.Gateway.Predict;
using Chat.Gateway.Realtime;
using Prometheus;
using Scalar.AspNetCore;

namespace Chat.Gateway.Hosting;

/// <summary>Maps every API area; each area lives in its own static class.</summary>
public static class GatewayEndpointRouteBuilderExtensions
{
    public static WebApplication MapGatewayEndpoints(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        var registry = app.Services.GetRequiredService<CollectorRegistry>();
        app.UseHttpMetrics(options => options.SetMetricFactory(Metrics.WithCustomRegistry(registry)));
        app.MapHealthApi();
        app.MapMetricsApi();
        app.MapChatApi();
        app.MapOpenAiApi();
        app.MapRealtime();
        app.MapOpenApi();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Chat gateway"));
        app.MapPredictApi();
        app.MapCatalogApi();
        return app;
    }
}
