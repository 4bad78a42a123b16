using Chat.Gateway.Options;
using Chat.Inference.Engine;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Engine;

/// <summary>
/// The one place where a concrete engine plugs into the gateway: how to load it from
/// <see cref="ChatModelOptions"/> (with <see cref="ChatModelOptions.Path"/> already resolved to a full path)
/// and how to adapt it once as an <see cref="IChatClient"/>. Register with
/// <see cref="ChatEngineServiceCollectionExtensions.AddChatEngine"/>.
/// </summary>
public sealed class ChatEngineFactories
{
    public ChatEngineFactories(
        Func<ChatModelOptions, CancellationToken, Task<IGenerationEngine>> loadEngine,
        Func<IGenerationEngine, IChatClient> createChatClient)
    {
        ArgumentNullException.ThrowIfNull(loadEngine);
        ArgumentNullException.ThrowIfNull(createChatClient);
        LoadEngine = loadEngine;
        CreateChatClient = createChatClient;
    }

    public Func<ChatModelOptions, CancellationToken, Task<IGenerationEngine>> LoadEngine { get; }

    public Func<IGenerationEngine, IChatClient> CreateChatClient { get; }
}
