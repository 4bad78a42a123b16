using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Gateway.Realtime.Internal;
using Chat.Gateway.Streams;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Realtime;

/// <summary>
/// <c>/ws/chat</c>: the JSON message protocol of DESIGN.md over a raw WebSocket. Client:
/// <c>{"type":"chat","id":"c1",...request}</c>, <c>{"type":"cancel","id":"c1"}</c>,
/// <c>{"type":"resume","id":"c2","stream_id":"...","from":N}</c>, <c>{"type":"ping","id":"p"}</c>.
/// Server: <c>start</c> (stream_id, from), <c>token</c> (index, token), <c>done</c> (finish_reason,
/// usage, timings), <c>error</c> (<c>{"type","message","field"}</c>), <c>pong</c>. Several ids may be
/// in flight at once.
/// </summary>
public static class WebSocketChatApi
{
    public const string Route = "/ws/chat";

    public static IEndpointRouteBuilder MapWebSocketChatApi(this IEndpointRouteBuilder routes)
    {
        routes.Map(Route, AcceptAsync)
            .WithTags("Realtime")
            .WithName("ChatWebSocket")
            .WithSummary("Chat over a raw WebSocket (JSON text messages, several generations multiplexed by id).")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private static async Task<IResult> AcceptAsync(
        HttpContext context,
        ChatGenerator generator,
        StreamRegistry registry,
        GatewayMetrics metrics,
        IOptions<ChatApiOptions> chatOptions,
        IOptions<RealtimeOptions> options,
        ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            return TypedResults.Problem(
                detail: $"{Route} speaks WebSocket: open it with a WebSocket client (Upgrade: websocket).",
                statusCode: StatusCodes.Status400BadRequest,
                title: "A WebSocket upgrade is required.");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var session = new WebSocketChatSession(
            socket, ClientIdentity.Of(context), generator, registry, metrics, chatOptions.Value, options.Value, loggers.CreateLogger(typeof(WebSocketChatApi)));
        await session.RunAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Empty;
    }
}
