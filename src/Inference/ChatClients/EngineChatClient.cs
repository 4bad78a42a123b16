using System.Runtime.CompilerServices;
using Chat.Inference.ChatClients.Internal;
using Chat.Inference.Engine;
using Chat.Inference.Models;
using Chat.Inference.Templates;
using Microsoft.Extensions.AI;

namespace Chat.Inference.ChatClients;

/// <summary>
/// <see cref="IChatClient"/> over an <see cref="IGenerationEngine"/>: renders the conversation with
/// the model's chat template, tokenizes it, and streams the engine's updates. There is one code path:
/// <see cref="GetResponseAsync"/> aggregates <see cref="GetStreamingResponseAsync"/>. Every update's
/// <see cref="ChatResponseUpdate.RawRepresentation"/> is the engine's <see cref="GenerationUpdate"/>;
/// the last one carries <see cref="UsageContent"/> and the finish reason.
/// </summary>
public sealed class EngineChatClient : IChatClient
{
    /// <summary>Finish reason of a generation that ended because it was cancelled (not by its caller's token).</summary>
    public static readonly ChatFinishReason Cancelled = new("cancelled");

    private readonly IGenerationEngine _engine;
    private readonly ChatOptionsMapper _mapper;
    private readonly ChatClientMetadata _metadata;

    /// <param name="engine">The engine to generate with.</param>
    /// <param name="defaults">Search defaults from the model's genai_config.json, used for options a request leaves unset.</param>
    public EngineChatClient(IGenerationEngine engine, SearchDefaults? defaults = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _mapper = new ChatOptionsMapper(defaults ?? new SearchDefaults(), engine.Model.ContextLength);
        _metadata = new ChatClientMetadata("onnxruntime", null, engine.Model.Id);
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken).ConfigureAwait(false);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToList();
        var prompt = _engine.Tokenizer.Encode(_engine.ChatTemplate.Render(turns, addGenerationPrompt: true));
        var request = _mapper.ToRequest(prompt, options);
        var responseId = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow;
        var modelId = options?.ModelId ?? _engine.Model.Id;

        await foreach (var update in _engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            if (update.FinishReason == FinishReason.Cancelled)
            {
                // The IChatClient convention: the caller's own cancellation surfaces as an exception.
                cancellationToken.ThrowIfCancellationRequested();
            }

            var contents = new List<AIContent>(2);
            if (update.Text.Length > 0)
            {
                contents.Add(new TextContent(update.Text));
            }

            if (update.Usage is { } usage)
            {
                contents.Add(new UsageContent(new UsageDetails
                {
                    InputTokenCount = usage.PromptTokens,
                    OutputTokenCount = usage.CompletionTokens,
                    TotalTokenCount = usage.PromptTokens + usage.CompletionTokens,
                }));
            }

            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ResponseId = responseId,
                MessageId = responseId,
                CreatedAt = created,
                ModelId = modelId,
                FinishReason = update.FinishReason switch
                {
                    FinishReason.Stop => ChatFinishReason.Stop,
                    FinishReason.Length => ChatFinishReason.Length,
                    FinishReason.Cancelled => Cancelled,
                    _ => null,
                },
                RawRepresentation = update,
            };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        if (serviceType.IsInstanceOfType(_engine))
        {
            return _engine;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    /// <summary>The engine is owned by whoever loaded it; the client holds no resources.</summary>
    public void Dispose()
    {
    }
}
