using Chat.Inference.Engine;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Engine;

/// <summary>
/// The loaded chat model as the request path sees it: the engine and the one <see cref="IChatClient"/>
/// adapted over it. Both throw <see cref="ChatModelNotReadyException"/> until the model has loaded
/// and a warm-up generation ran.
/// </summary>
public interface IGenerationEngineProvider
{
    bool IsReady { get; }

    IGenerationEngine GetEngine();

    /// <summary>The engine's own chat client (innermost stage of the pipeline).</summary>
    IChatClient GetChatClient();
}
