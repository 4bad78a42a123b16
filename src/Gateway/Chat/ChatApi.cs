using System.Globalization;
using Chat.Gateway.Contracts;
using Chat.Gateway.Hosting.Internal;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Streaming;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Chat;

/// <summary>
/// Native chat routes: <c>POST /chat</c>, <c>POST /chat/stream</c> (NDJSON or SSE), <c>GET /chat/stream</c>
/// (SSE for EventSource), and <c>GET</c>/<c>DELETE /chat/streams/{streamId}</c> to resume or cancel any stream.
/// Every generation runs as a <see cref="StreamRegistry"/> stream.
/// </summary>
public static class ChatApi
{
    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder routes)
    {
        var chat = routes.MapGroup("/chat").WithTags("Chat").AddEndpointFilter<GenerationRequestFilter>();

        chat.MapPost("", PostChat)
            .WithName("Chat")
            .WithSummary("Non-streaming chat: the whole answer with finish reason, usage and timings.")
            .Accepts<ChatRequest>("application/json")
            .Produces<ChatResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        chat.MapPost("/stream", PostChatStream)
            .WithName("ChatStream")
            .WithSummary("Streaming chat: NDJSON lines per token, or server-sent events with Accept: text/event-stream.")
            .Accepts<ChatRequest>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson", additionalContentTypes: ["text/event-stream"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        chat.MapGet("/stream", GetChatStream)
            .WithName("ChatEventSource")
            .WithSummary("Server-sent events for a browser EventSource: ?message=...&max_tokens=&temperature=&seed=")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        chat.MapGet("/streams/{streamId}", ChatStreamsResume.GetStream)
            .WithName("ResumeChatStream")
            .WithSummary("Resumes a live or just-finished stream of the same client: SSE (Last-Event-ID or ?from=N) or NDJSON (?from=N).")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-ndjson", additionalContentTypes: ["text/event-stream"])
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status410Gone);

        chat.MapDelete("/streams/{streamId}", ChatStreamsResume.DeleteStream)
            .WithName("CancelChatStream")
            .WithSummary("Cancels a live stream of the same client at once (no grace period).")
            .Produces(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<IResult> PostChat(HttpContext context, ChatGenerator generator, StreamRegistry registry, IOptions<ChatApiOptions> options)
    {
        var prepared = await PrepareAsync(context, generator, options.Value).ConfigureAwait(false);
        var subscription = registry.Start(generator, prepared, ClientIdentity.Of(context), "json");
        var result = await GenerationResult.CollectAsync(context, subscription).ConfigureAwait(false);
        var response = new ChatResponse(result.StreamId, new ChatMessageDto("assistant", result.Text), result.FinishReasonText, result.Usage, result.Timings);
        return TypedResults.Json(response, GatewayJsonContext.Default.ChatResponse);
    }

    private static async Task PostChatStream(HttpContext context, ChatGenerator generator, StreamRegistry registry, GatewayMetrics metrics, IOptions<ChatApiOptions> options, ILoggerFactory loggers)
    {
        var prepared = await PrepareAsync(context, generator, options.Value).ConfigureAwait(false);
        var sse = WantsEventStream(context.Request);
        var subscription = registry.Start(generator, prepared, ClientIdentity.Of(context), sse ? "sse" : "ndjson");
        StreamEventWriter writer = sse
            ? new SseEventWriter(context, subscription.Stream.Id)
            : new NdjsonEventWriter(context, subscription.Stream.Id);
        await GenerationStreamer.StreamAsync(context, subscription, writer, metrics, loggers.CreateLogger(typeof(ChatApi))).ConfigureAwait(false);
    }

    private static async Task GetChatStream(HttpContext context, ChatGenerator generator, StreamRegistry registry, GatewayMetrics metrics, IOptions<ChatApiOptions> options, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        var validator = new RequestValidator(options.Value);
        var message = query["message"].ToString();
        if (!query.ContainsKey("message"))
        {
            validator.Add("message", "The query parameter message is required.");
        }

        var request = new ChatRequest
        {
            Message = message,
            MaxTokens = QueryNumber<int>(query, "max_tokens", validator),
            Temperature = QueryNumber<float>(query, "temperature", validator),
            Seed = QueryNumber<long>(query, "seed", validator),
        };
        var turns = validator.Messages(null, request.Message);
        var parameters = validator.Parameters(request, request.MaxTokens);
        validator.ThrowIfInvalid();

        var prepared = await generator.PrepareChatAsync(turns, parameters, context.RequestAborted).ConfigureAwait(false);
        var subscription = registry.Start(generator, prepared, ClientIdentity.Of(context), "sse");
        var writer = new SseEventWriter(context, subscription.Stream.Id);
        await GenerationStreamer.StreamAsync(context, subscription, writer, metrics, loggers.CreateLogger(typeof(ChatApi))).ConfigureAwait(false);
    }

    private static async Task<PreparedGeneration> PrepareAsync(HttpContext context, ChatGenerator generator, ChatApiOptions options)
    {
        var request = await RequestBodyReader.ReadAsync(context, GatewayJsonContext.Default.ChatRequest, options.MaxRequestBodyBytes).ConfigureAwait(false);
        return await ChatRequests.PrepareAsync(request, generator, options, context.RequestAborted).ConfigureAwait(false);
    }

    internal static bool WantsEventStream(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase));

    internal static T? QueryNumber<T>(IQueryCollection query, string name, RequestValidator validator)
        where T : struct, ISpanParsable<T>
    {
        if (!query.TryGetValue(name, out var values))
        {
            return null;
        }

        if (T.TryParse(values.ToString(), CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        validator.Add(name, $"{name} must be a number.");
        return null;
    }
}
