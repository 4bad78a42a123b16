using Chat.Gateway.Options;
using Chat.Inference.Engine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Chat.Gateway.Engine;

public static class ChatEngineServiceCollectionExtensions
{
    /// <summary>
    /// Chooses the engine the gateway serves; a later call replaces an earlier one (tests swap in a fake).
    /// The engine loads in the background after start (<see cref="ChatModelHost"/>).
    /// </summary>
    public static IServiceCollection AddChatEngine(
        this IServiceCollection services,
        Func<ChatModelOptions, CancellationToken, Task<IGenerationEngine>> loadEngine,
        Func<IGenerationEngine, IChatClient> createChatClient)
    {
        services.RemoveAll<ChatEngineFactories>();
        services.AddSingleton(new ChatEngineFactories(loadEngine, createChatClient));
        return services;
    }

    /// <summary>The background loader and the provider the request path reads the model from.</summary>
    internal static IServiceCollection AddChatModelHost(this IServiceCollection services)
    {
        services.AddSingleton<ChatModelHost>();
        services.AddSingleton<IGenerationEngineProvider>(sp => sp.GetRequiredService<ChatModelHost>());
        services.AddHostedService(sp => sp.GetRequiredService<ChatModelHost>());
        services.AddSingleton<Catalog.IModelCatalogContributor, DecoderCatalogContributor>();
        return services;
    }
}
