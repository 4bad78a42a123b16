using Chat.Gateway.Contracts;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Streaming;

/// <summary>
/// <c>application/x-ndjson</c>: <c>{"stream_id","index","token"}</c> per token, then the done line
/// (or an error line).
/// </summary>
internal sealed class NdjsonEventWriter(HttpContext context, string streamId) : StreamEventWriter(context, streamId)
{
    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();

    public override string ContentType => "application/x-ndjson";

    public override string Transport => "ndjson";

    public override async ValueTask WriteTokenAsync(StreamEvent token, CancellationToken cancellationToken)
    {
        if (token.Text.Length == 0)
        {
            return;
        }

        var json = BeginJson(default);
        json.WriteStartObject();
        json.WriteString("stream_id"u8, StreamId);
        json.WriteNumber("index"u8, token.Index);
        json.WriteString("token"u8, token.Text);
        json.WriteEndObject();
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDoneAsync(StreamEvent done, CancellationToken cancellationToken)
    {
        WriteJson(default, new StreamDoneLine(true, StreamId, done.FinishReason!, done.Usage!, done.Timings!), GatewayJsonContext.Default.StreamDoneLine);
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken)
    {
        WriteJson(default, new StreamErrorLine(new StreamError(type, message)), GatewayJsonContext.Default.StreamErrorLine);
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }
}
