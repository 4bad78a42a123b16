using System.Runtime.CompilerServices;
using Chat.Inference.Engine;
using Chat.Inference.Templates;
using Microsoft.Extensions.AI;

namespace Chat.Gateway.Tests.Fakes;

/// <summary>
/// The engine adapted as an <see cref="IChatClient"/> in the shape the real adapter has: template,
/// tokenize, map <see cref="ChatOptions"/>, one streaming path; every update's RawRepresentation is
/// the engine's <see cref="GenerationUpdate"/>; the last update carries finish reason and usage.
/// </summary>
internal sealed class FakeEngineChatClient(IGenerationEngine engine) : IChatClient
{
    public ChatOptions? LastOptions { get; private set; }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        GetStreamingResponseAsync(messages, options, cancellationToken).ToChatResponseAsync(cancellationToken);

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        LastOptions = options;
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToArray();
        var prompt = engine.Tokenizer.Encode(engine.ChatTemplate.Render(turns), addSpecialTokens: true);
        var request = new GenerationRequest
        {
            PromptTokenIds = prompt,
            MaxNewTokens = options?.MaxOutputTokens ?? 256,
            StopSequences = options?.StopSequences?.ToArray() ?? [],
            IgnoreEos = Get<bool>(options, "ignore_eos"),
            Sampling = new SamplingSettings
            {
                Temperature = options?.Temperature ?? 0f,
                TopP = options?.TopP ?? 1f,
                TopK = options?.TopK ?? 0,
                MinP = Get<float>(options, "min_p"),
                RepetitionPenalty = options?.AdditionalProperties?.TryGetValue<float>("repetition_penalty", out var repetition) == true ? repetition : 1f,
                PresencePenalty = options?.PresencePenalty ?? 0f,
                FrequencyPenalty = options?.FrequencyPenalty ?? 0f,
                Seed = options?.Seed,
            },
        };

        var responseId = Guid.NewGuid().ToString("N");
        await foreach (var update in engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
            var chunk = new ChatResponseUpdate(ChatRole.Assistant, update.Text)
            {
                RawRepresentation = update,
                ResponseId = responseId,
                MessageId = responseId,
                ModelId = engine.Model.Id,
            };
            if (update.FinishReason is { } reason)
            {
                chunk.FinishReason = reason switch
                {
                    FinishReason.Stop => ChatFinishReason.Stop,
                    FinishReason.Length => ChatFinishReason.Length,
                    _ => new ChatFinishReason("cancelled"),
                };
                if (update.Usage is { } usage)
                {
                    chunk.Contents.Add(new UsageContent(new UsageDetails
                    {
                        InputTokenCount = usage.PromptTokens,
                        OutputTokenCount = usage.CompletionTokens,
                        TotalTokenCount = usage.PromptTokens + usage.CompletionTokens,
                    }));
                }
            }

            yield return chunk;
        }
    }

    private static T Get<T>(ChatOptions? options, string key)
        where T : struct =>
        options?.AdditionalProperties?.TryGetValue<T>(key, out var value) == true ? value : default;

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
