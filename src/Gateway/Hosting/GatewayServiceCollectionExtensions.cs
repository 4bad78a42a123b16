using Chat.Gateway.Health;
using Chat.Gateway.Predict;

namespace Chat.Gateway.Hosting;

/// <summary>Registration of every gateway concern, one call from Program.cs.</summary>
public static class GatewayServiceCollectionExtensions
{
    public static WebApplicationBuilder AddGateway(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<ReadinessTracker>();
        builder.AddPredictions();
        return builder;
    }
}
