using Chat.Inference.Engine;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// A request checked against the loaded model and ready to run: either a chat history for the
/// Kernel's chat completion service, or a raw engine request (no template).
/// </summary>
public sealed record PreparedGeneration(string ModelId, int PromptTokens, int MaxTokens)
{
    public ChatHistory? History { get; init; }

    public PromptExecutionSettings? Settings { get; init; }

    public GenerationRequest? EngineRequest { get; init; }
}
