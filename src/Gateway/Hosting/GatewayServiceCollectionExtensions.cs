using Chat.Gateway.Contracts;
using Chat.Gateway.Engine;
using Chat.Gateway.Health;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Predict;
using Chat.Gateway.Realtime;
using Chat.Gateway.Streams;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Prometheus;

namespace Chat.Gateway.Hosting;

/// <summary>Registration of every gateway concern, one call from Program.cs.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.AddGatewayLogging();
        var services = builder.Services;
        // Every problem names the request id (X-Request-Id), so a client can quote it.
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Extensions["request_id"] = context.HttpContext.TraceIdentifier);
        services.AddSingleton<ReadinessTracker>();
        // The process-wide registry; an in-process test host registers its own before this.
        services.TryAddSingleton(Metrics.DefaultRegistry);
        services.AddSingleton<GatewayMetrics>();
        services.AddGatewayOptions();
        services.AddChatModelHost();
        services.AddDecoderEngine();
        services.AddChatPipeline();
        services.AddStreamRegistry();
        services.AddRealtime();
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.TypeInfoResolverChain.Insert(0, GatewayJsonContext.Default));
        services.AddOpenApi();
        builder.AddPredictions();
        return builder;
    }
}
