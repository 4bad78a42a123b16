using Chat.Gateway.Contracts;
using Chat.Inference.Engine;

namespace Chat.Gateway.Streaming;

/// <summary>
/// Native server-sent events: <c>id: N</c> / <c>event: token</c> / <c>data: {"token"}</c> per token
/// (the id lets a browser's EventSource resume with Last-Event-ID), then <c>event: done</c>.
/// </summary>
internal sealed class SseEventWriter(HttpContext context, string streamId) : StreamEventWriter(context)
{
    private static readonly ReadOnlyMemory<byte> EventEnd = "\n\n"u8.ToArray();
    private int _index;

    public override string ContentType => "text/event-stream";

    public override string Transport => "sse";

    public override async ValueTask WriteUpdateAsync(GenerationUpdate update, CancellationToken cancellationToken)
    {
        if (update.Text.Length == 0)
        {
            return;
        }

        WriteRaw("id: "u8);
        Span<byte> digits = stackalloc byte[11];
        _index.TryFormat(digits, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        WriteRaw(digits[..written]);
        _index++;
        var json = BeginJson("\nevent: token\ndata: "u8);
        json.WriteStartObject();
        json.WriteString("stream_id"u8, streamId);
        json.WriteString("token"u8, update.Text);
        json.WriteEndObject();
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDoneAsync(GenerationResult result, int promptTokens, CancellationToken cancellationToken)
    {
        WriteJson("event: done\ndata: "u8, new StreamDoneLine(true, streamId, result.FinishReasonText, result.ToUsage(promptTokens), result.ToTimings()), GatewayJsonContext.Default.StreamDoneLine);
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken)
    {
        WriteJson("event: error\ndata: "u8, new StreamErrorLine(new StreamError(type, message)), GatewayJsonContext.Default.StreamErrorLine);
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }
}
