using Chat.Gateway.Contracts;
using Chat.Inference.Engine;

namespace Chat.Gateway.Streaming;

/// <summary>
/// <c>application/x-ndjson</c>: <c>{"stream_id","index","token"}</c> per token, then the done line
/// (or an error line).
/// </summary>
internal sealed class NdjsonEventWriter(HttpContext context, string streamId) : StreamEventWriter(context)
{
    private static readonly ReadOnlyMemory<byte> NewLine = "\n"u8.ToArray();
    private int _index;

    public override string ContentType => "application/x-ndjson";

    public override string Transport => "ndjson";

    public override async ValueTask WriteUpdateAsync(GenerationUpdate update, CancellationToken cancellationToken)
    {
        if (update.Text.Length == 0)
        {
            return;
        }

        var json = BeginJson(default);
        json.WriteStartObject();
        json.WriteString("stream_id"u8, streamId);
        json.WriteNumber("index"u8, _index++);
        json.WriteString("token"u8, update.Text);
        json.WriteEndObject();
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDoneAsync(GenerationResult result, int promptTokens, CancellationToken cancellationToken)
    {
        WriteJson(default, new StreamDoneLine(true, streamId, result.FinishReasonText, result.ToUsage(promptTokens), result.ToTimings()), GatewayJsonContext.Default.StreamDoneLine);
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken)
    {
        WriteJson(default, new StreamErrorLine(new StreamError(type, message)), GatewayJsonContext.Default.StreamErrorLine);
        await EndAsync(NewLine, cancellationToken).ConfigureAwait(false);
    }
}
