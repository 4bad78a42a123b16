using Chat.Gateway.Options;
using Chat.Inference.ChatClients;
using Chat.Inference.Engine;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Engine;

/// <summary>The production engine: the ONNX Runtime decoder over the configured GenAI-format folder.</summary>
public static class DecoderEngineRegistration
{
    public static IServiceCollection AddDecoderEngine(this IServiceCollection services) =>
        services.AddChatEngine(LoadAsync, CreateChatClient);

    private static Task<IGenerationEngine> LoadAsync(ChatModelOptions options, CancellationToken cancellationToken) =>
        // Loading reads and optimizes the model: seconds of CPU work that must not hold a host thread.
        Task.Run<IGenerationEngine>(
            () => DecoderEngine.Load(options.Path, new EngineOptions
            {
                MaxBatchSize = options.MaxBatchSize,
                MaxQueue = options.MaxQueue,
                PrefixCacheEntries = options.PrefixCacheEntries,
                IntraOpThreads = options.IntraOpThreads,
                SingleSequenceThreads = options.SingleSequenceThreads,
            }),
            cancellationToken);

    private static IChatClient CreateChatClient(IGenerationEngine engine) =>
        new EngineChatClient(engine, (engine as DecoderEngine)?.Config.Search);
}
