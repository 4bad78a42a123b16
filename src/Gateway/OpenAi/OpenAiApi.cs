using Chat.Gateway.Chat;
using Chat.Gateway.Contracts;
using Chat.Gateway.Engine;
using Chat.Gateway.Hosting.Internal;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Streaming;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.OpenAi;

/// <summary>OpenAI-compatible routes: <c>/v1/chat/completions</c>, <c>/v1/completions</c>, <c>/v1/models</c>.</summary>
public static class OpenAiApi
{
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder routes)
    {
        var v1 = routes.MapGroup("/v1").WithTags("OpenAI");

        v1.MapPost("/chat/completions", PostChatCompletions)
            .AddEndpointFilter<GenerationRequestFilter>()
            .WithName("ChatCompletions")
            .WithSummary("OpenAI chat completions; stream true gives chat.completion.chunk server-sent events.")
            .Accepts<ChatCompletionRequest>("application/json")
            .Produces<ChatCompletionResponse>(contentType: "application/json", additionalContentTypes: ["text/event-stream"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        v1.MapPost("/completions", PostCompletions)
            .AddEndpointFilter<GenerationRequestFilter>()
            .WithName("Completions")
            .WithSummary("OpenAI text completions without a chat template; prompt as text or token ids, return_token_ids as vLLM.")
            .Accepts<CompletionRequest>("application/json")
            .Produces<CompletionResponse>(contentType: "application/json", additionalContentTypes: ["text/event-stream"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        v1.MapGet("/models", GetModels)
            .WithName("OpenAiModels")
            .WithSummary("The served model (empty until it has loaded).");
        return routes;
    }

    private static async Task<IResult> PostChatCompletions(
        HttpContext context, ChatGenerator generator, IGenerationEngineProvider provider, StreamRegistry registry, GatewayMetrics metrics, IOptions<ChatApiOptions> options, ILoggerFactory loggers)
    {
        var request = await RequestBodyReader.ReadAsync(context, GatewayJsonContext.Default.ChatCompletionRequest, options.Value.MaxRequestBodyBytes).ConfigureAwait(false);
        var validator = new RequestValidator(options.Value);
        var turns = validator.Messages(request.Messages);
        var parameters = validator.Parameters(request, request.MaxCompletionTokens ?? request.MaxTokens);
        validator.SingleChoice(request.N);
        validator.ThrowIfInvalid();
        var model = CheckModel(request.Model, provider);

        var prepared = await generator.PrepareChatAsync(turns, parameters, context.RequestAborted).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var subscription = registry.Start(generator, prepared, ClientIdentity.Of(context), request.Stream == true ? "openai_sse" : "json");
        var id = "chatcmpl-" + subscription.Stream.Id;
        if (request.Stream == true)
        {
            var writer = new OpenAiChunkWriter(context, subscription.Stream.Id, id, created, model, chat: true, request.StreamOptions?.IncludeUsage == true, promptTokenIds: null);
            await GenerationStreamer.StreamAsync(context, subscription, writer, metrics, loggers.CreateLogger(typeof(OpenAiApi))).ConfigureAwait(false);
            return Results.Empty;
        }

        var result = await GenerationResult.CollectAsync(context, subscription).ConfigureAwait(false);
        var response = new ChatCompletionResponse(id, "chat.completion", created, model,
            [new ChatCompletionChoice(0, new ChatMessageDto("assistant", result.Text), result.FinishReasonText)],
            result.Usage);
        return TypedResults.Json(response, GatewayJsonContext.Default.ChatCompletionResponse);
    }

    private static async Task<IResult> PostCompletions(
        HttpContext context, ChatGenerator generator, IGenerationEngineProvider provider, StreamRegistry registry, GatewayMetrics metrics, IOptions<ChatApiOptions> options, ILoggerFactory loggers)
    {
        var request = await RequestBodyReader.ReadAsync(context, GatewayJsonContext.Default.CompletionRequest, options.Value.MaxRequestBodyBytes).ConfigureAwait(false);
        var validator = new RequestValidator(options.Value);
        if (request.Prompt is null)
        {
            validator.Add("prompt", "prompt is required (a string or an array of token ids).");
        }

        var parameters = validator.Parameters(request, request.MaxTokens);
        validator.SingleChoice(request.N);
        validator.ThrowIfInvalid();
        var model = CheckModel(request.Model, provider);

        var owner = ClientIdentity.Of(context);
        var prepared = generator.PrepareCompletion(request.Prompt!.Text, request.Prompt.TokenIds, parameters, owner);
        var promptIds = request.ReturnTokenIds == true ? prepared.EngineRequest!.PromptTokenIds : null;
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var subscription = registry.Start(generator, prepared, owner, request.Stream == true ? "openai_sse" : "json");
        var id = "cmpl-" + subscription.Stream.Id;
        if (request.Stream == true)
        {
            var writer = new OpenAiChunkWriter(context, subscription.Stream.Id, id, created, model, chat: false, request.StreamOptions?.IncludeUsage == true, promptIds);
            await GenerationStreamer.StreamAsync(context, subscription, writer, metrics, loggers.CreateLogger(typeof(OpenAiApi))).ConfigureAwait(false);
            return Results.Empty;
        }

        var result = await GenerationResult.CollectAsync(context, subscription).ConfigureAwait(false);
        var choice = new CompletionChoice(0, result.Text, result.FinishReasonText, promptIds, promptIds is null ? null : result.TokenIds);
        var response = new CompletionResponse(id, "text_completion", created, model, [choice], result.Usage);
        return TypedResults.Json(response, GatewayJsonContext.Default.CompletionResponse);
    }

    private static IResult GetModels(IGenerationEngineProvider provider, ChatModelHost host)
    {
        ModelCard[] data = provider.IsReady
            ? [new ModelCard(provider.GetEngine().Model.Id, "model", host.LoadedAt.ToUnixTimeSeconds(), "chat-gateway")]
            : [];
        return TypedResults.Json(new ModelList("list", data), GatewayJsonContext.Default.ModelList);
    }

    /// <summary>The loaded model's id; a request naming another model gets 404 (an absent name means the loaded one).</summary>
    private static string CheckModel(string? requested, IGenerationEngineProvider provider)
    {
        var id = provider.GetEngine().Model.Id;
        if (!string.IsNullOrEmpty(requested) && !string.Equals(requested, id, StringComparison.Ordinal))
        {
            throw new RequestValidationException("model", $"The model '{requested}' does not exist; this server serves '{id}'.", StatusCodes.Status404NotFound);
        }

        return id;
    }
}
