using System.Runtime.CompilerServices;
using Chat.Gateway.Engine;
using Chat.Gateway.Observability;
using Chat.Gateway.Observability.Internal;
using Chat.Gateway.Options;
using Chat.Gateway.Validation;
using Chat.Inference.Engine;
using Chat.Inference.Templates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// The serving logic every transport shares. Chat requests run through the Kernel's
/// <see cref="IChatCompletionService"/> (the M.E.AI pipeline over the engine's chat client); raw
/// completions go to the engine directly because they have no template. Either way the caller reads
/// the engine's <see cref="GenerationUpdate"/>s, which travel through SK as the updates' inner content.
/// </summary>
public sealed class ChatGenerator(
    Kernel kernel,
    IGenerationEngineProvider provider,
    SystemPromptRenderer systemPrompt,
    GatewayMetrics metrics,
    IOptions<ChatApiOptions> options)
{
    private readonly ChatApiOptions _options = options.Value;

    /// <summary>Checks readiness and the context budget, adds the system prompt and trims the history.</summary>
    /// <exception cref="ChatModelNotReadyException">The model has not loaded yet.</exception>
    /// <exception cref="RequestValidationException">max_tokens or the prompt do not fit the context.</exception>
    public async Task<PreparedGeneration> PrepareChatAsync(IReadOnlyList<ChatTurn> messages, GenerationParameters parameters, CancellationToken cancellationToken)
    {
        var engine = provider.GetEngine();
        var model = engine.Model;
        var budget = model.ContextLength - CheckMaxTokens(parameters.MaxTokens, model);

        var history = new ChatHistory();
        if (systemPrompt.HasPrompt && !messages.Any(m => m.Role == "system"))
        {
            history.AddSystemMessage(await systemPrompt.RenderAsync(kernel, model, cancellationToken).ConfigureAwait(false));
        }

        foreach (var message in messages)
        {
            history.Add(new ChatMessageContent(new AuthorRole(message.Role), message.Content));
        }

        var reducer = new ChatHistoryTokenReducer(engine.Tokenizer, engine.ChatTemplate, budget);
        if (await reducer.ReduceAsync(history, cancellationToken).ConfigureAwait(false) is { } reduced)
        {
            history = new ChatHistory(reduced);
        }

        var promptTokens = reducer.CountTokens(history);
        if (promptTokens > budget)
        {
            throw new RequestValidationException("messages", PromptTooLong(promptTokens, parameters.MaxTokens, model));
        }

        var maxTokens = parameters.MaxTokens ?? Math.Min(_options.DefaultMaxTokens, model.ContextLength - promptTokens);
        return new PreparedGeneration(model.Id, promptTokens, maxTokens)
        {
            History = history,
            Settings = parameters.ToExecutionSettings(maxTokens),
        };
    }

    /// <summary>A raw completion: the prompt text is tokenized here (no template), or ids are checked against the vocabulary.</summary>
    public PreparedGeneration PrepareCompletion(string? promptText, IReadOnlyList<int>? promptIds, GenerationParameters parameters, string clientId)
    {
        var engine = provider.GetEngine();
        var model = engine.Model;
        var budget = model.ContextLength - CheckMaxTokens(parameters.MaxTokens, model);

        var ids = promptIds ?? engine.Tokenizer.Encode(promptText ?? "", addSpecialTokens: true);
        if (ids.Count == 0)
        {
            throw new RequestValidationException("prompt", "The prompt must contain at least one token.");
        }

        for (var i = 0; i < ids.Count; i++)
        {
            if ((uint)ids[i] >= (uint)model.VocabSize)
            {
                throw new RequestValidationException($"prompt[{i}]", $"Token id {ids[i]} is outside the vocabulary (0..{model.VocabSize - 1}).");
            }
        }

        if (ids.Count > budget)
        {
            throw new RequestValidationException("prompt", PromptTooLong(ids.Count, parameters.MaxTokens, model));
        }

        var maxTokens = parameters.MaxTokens ?? Math.Min(_options.DefaultMaxTokens, model.ContextLength - ids.Count);
        var request = new GenerationRequest
        {
            PromptTokenIds = ids,
            MaxNewTokens = maxTokens,
            Sampling = parameters.ToSamplingSettings(),
            StopSequences = parameters.Stop,
            IgnoreEos = parameters.IgnoreEos,
            ClientId = clientId,
        };
        return new PreparedGeneration(model.Id, ids.Count, maxTokens) { EngineRequest = request };
    }

    /// <summary>Runs a prepared generation; the last update is final (finish reason and usage).</summary>
    public IAsyncEnumerable<GenerationUpdate> StreamAsync(PreparedGeneration prepared, CancellationToken cancellationToken) =>
        prepared.EngineRequest is { } request
            ? MeterAsync(provider.GetEngine().GenerateAsync(request, cancellationToken), cancellationToken)
            : StreamChatAsync(prepared, cancellationToken);

    private async IAsyncEnumerable<GenerationUpdate> StreamChatAsync(PreparedGeneration prepared, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var service = kernel.GetRequiredService<IChatCompletionService>();
        await foreach (var content in service.GetStreamingChatMessageContentsAsync(prepared.History!, prepared.Settings, kernel, cancellationToken).ConfigureAwait(false))
        {
            yield return content.InnerContent switch
            {
                GenerationUpdate update => update,
                ChatResponseUpdate { RawRepresentation: GenerationUpdate update } => update,
                _ => throw new InvalidOperationException(
                    "The engine's chat client must set each update's RawRepresentation to its GenerationUpdate; got "
                    + (content.InnerContent?.GetType().Name ?? "null") + "."),
            };
        }
    }

    // The chat path is metered by TokenMetricsChatClient inside the pipeline; raw completions are metered here.
    private async IAsyncEnumerable<GenerationUpdate> MeterAsync(IAsyncEnumerable<GenerationUpdate> updates, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var meter = new GenerationMeter(metrics);
        try
        {
            await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                meter.Observe(update);
                yield return update;
            }
        }
        finally
        {
            meter.OnStreamLeft();
        }
    }

    private static int CheckMaxTokens(int? maxTokens, ModelDescriptor model)
    {
        if (maxTokens is { } requested)
        {
            if (requested >= model.ContextLength)
            {
                throw new RequestValidationException("max_tokens", $"max_tokens must be less than the model's context length ({model.ContextLength}).");
            }

            return requested;
        }

        // Unspecified: the prompt may use all but one position; what it leaves becomes the output budget.
        return 1;
    }

    private static string PromptTooLong(int promptTokens, int? maxTokens, ModelDescriptor model) =>
        maxTokens is { } requested
            ? $"The prompt has {promptTokens} tokens; with max_tokens {requested} it exceeds the model's context length ({model.ContextLength})."
            : $"The prompt has {promptTokens} tokens; the model's context length is {model.ContextLength}.";
}
