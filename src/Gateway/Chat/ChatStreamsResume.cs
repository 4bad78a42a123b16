using System.Globalization;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Gateway.Streaming;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Chat;

/// <summary>
/// <c>GET /chat/streams/{streamId}</c>: the events of a live or just-finished stream from an index on,
/// whichever transport started it. SSE (<c>Accept: text/event-stream</c>) resumes after the browser's
/// <c>Last-Event-ID</c>, else from <c>?from=N</c>; NDJSON from <c>?from=N</c>. Indices are those the
/// original stream carried (NDJSON <c>index</c>, SSE <c>id:</c>). <c>DELETE</c> cancels a live stream.
/// </summary>
internal static class ChatStreamsResume
{
    public const string LastEventIdHeader = "Last-Event-ID";

    public static async Task GetStream(string streamId, HttpContext context, StreamRegistry registry, GatewayMetrics metrics, IOptions<ChatApiOptions> options, ILoggerFactory loggers)
    {
        var sse = ChatApi.WantsEventStream(context.Request);
        var from = ResumeIndex(context.Request, sse, options.Value);
        var subscription = registry.Resume(streamId, ClientIdentity.Of(context), from, sse ? "sse" : "ndjson");
        StreamEventWriter writer = sse ? new SseEventWriter(context, streamId) : new NdjsonEventWriter(context, streamId);
        await GenerationStreamer.StreamAsync(context, subscription, writer, metrics, loggers.CreateLogger(typeof(ChatStreamsResume))).ConfigureAwait(false);
    }

    public static IResult DeleteStream(string streamId, HttpContext context, StreamRegistry registry)
    {
        registry.Cancel(streamId, ClientIdentity.Of(context));
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// An EventSource reconnects to the URL it first opened (with its <c>?from</c>) and adds the last id
    /// it saw, so <c>Last-Event-ID</c> wins over the query.
    /// </summary>
    private static int ResumeIndex(HttpRequest request, bool sse, ChatApiOptions options)
    {
        var validator = new RequestValidator(options);
        if (sse && request.Headers.TryGetValue(LastEventIdHeader, out var lastEventId))
        {
            if (int.TryParse(lastEventId.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var last) && last < int.MaxValue)
            {
                return last + 1;
            }

            validator.Add(LastEventIdHeader, "Last-Event-ID must be the id of an event of this stream (a non-negative integer).");
        }

        var from = ChatApi.QueryNumber<int>(request.Query, "from", validator);
        if (from is < 0)
        {
            validator.Add("from", "from must be 0 or more.");
        }

        validator.ThrowIfInvalid();
        return from ?? 0;
    }
}
