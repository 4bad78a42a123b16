using Chat.Gateway.Engine;
using Chat.Gateway.Observability;
using Chat.Gateway.Pipeline.Internal;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chat.Gateway.Pipeline;

public static class ChatPipelineServiceCollectionExtensions
{
    /// <summary>
    /// The engine's chat client wrapped once (outermost first: telemetry, logging with prompts at
    /// Trace only, token metrics), exposed to Semantic Kernel as the Kernel's chat completion service.
    /// </summary>
    public static IServiceCollection AddChatPipeline(this IServiceCollection services)
    {
        services.AddChatClient(sp => new LoadedModelChatClient(sp.GetRequiredService<IGenerationEngineProvider>()))
            .UseOpenTelemetry(sourceName: GatewayTelemetry.SourceName)
            .UseLogging()
            .UseTokenMetrics();

        services.AddSingleton<IChatCompletionService>(sp => sp.GetRequiredService<IChatClient>().AsChatCompletionService(sp));
        services.AddSingleton(sp => new Kernel(sp));
        services.AddSingleton<SystemPromptRenderer>();
        services.AddSingleton<ChatGenerator>();
        return services;
    }
}
