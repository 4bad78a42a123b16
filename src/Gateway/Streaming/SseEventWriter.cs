using Chat.Gateway.Contracts;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Streaming;

/// <summary>
/// Native server-sent events: <c>id: N</c> / <c>event: token</c> / <c>data: {"token"}</c> per token
/// (the id lets a browser's EventSource resume with Last-Event-ID), then <c>event: done</c>.
/// </summary>
internal sealed class SseEventWriter(HttpContext context, string streamId) : StreamEventWriter(context, streamId)
{
    private static readonly ReadOnlyMemory<byte> EventEnd = "\n\n"u8.ToArray();

    public override string ContentType => "text/event-stream";

    public override string Transport => "sse";

    public override async ValueTask WriteTokenAsync(StreamEvent token, CancellationToken cancellationToken)
    {
        if (token.Text.Length == 0)
        {
            return;
        }

        WriteRaw("id: "u8);
        Span<byte> digits = stackalloc byte[11];
        token.Index.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        WriteRaw(digits[..written]);
        var json = BeginJson("\nevent: token\ndata: "u8);
        json.WriteStartObject();
        json.WriteString("stream_id"u8, StreamId);
        json.WriteString("token"u8, token.Text);
        json.WriteEndObject();
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDoneAsync(StreamEvent done, CancellationToken cancellationToken)
    {
        WriteJson("event: done\ndata: "u8, new StreamDoneLine(true, StreamId, done.FinishReason!, done.Usage!, done.Timings!), GatewayJsonContext.Default.StreamDoneLine);
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken)
    {
        WriteJson("event: error\ndata: "u8, new StreamErrorLine(new StreamError(type, message)), GatewayJsonContext.Default.StreamErrorLine);
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }
}
