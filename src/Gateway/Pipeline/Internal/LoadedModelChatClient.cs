using Chat.Gateway.Engine;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Pipeline.Internal;

/// <summary>
/// Innermost stage of the pipeline: forwards to the engine's chat client once the model has loaded,
/// so the pipeline can be built at startup while the model still loads in the background.
/// </summary>
internal sealed class LoadedModelChatClient(IGenerationEngineProvider provider) : IChatClient
{
    private static readonly ChatClientMetadata Metadata = new("chat-gateway");

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        provider.GetChatClient().GetResponseAsync(messages, options, cancellationToken);

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, Microsoft.Extensions.AI.ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        provider.GetChatClient().GetStreamingResponseAsync(messages, options, cancellationToken);

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        if (serviceKey is null && serviceType.IsInstanceOfType(this))
        {
            return this;
        }

        if (provider.IsReady)
        {
            return provider.GetChatClient().GetService(serviceType, serviceKey);
        }

        return serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata : null;
    }

    // The engine's client belongs to ChatModelHost, which disposes it at shutdown.
    public void Dispose()
    {
    }
}
