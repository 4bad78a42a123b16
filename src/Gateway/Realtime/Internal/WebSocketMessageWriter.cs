using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Encodings.Web;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// The one writer of a WebSocket: serializes each queued message into a reused buffer and sends it as
/// one text frame; a close message ends the loop with that close code. WebSocket allows one send at a
/// time, which this loop guarantees for every generation multiplexed on the socket.
/// </summary>
internal sealed class WebSocketMessageWriter(WebSocket socket)
{
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _json = new(Stream.Null, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    public async Task RunAsync(System.Threading.Channels.ChannelReader<OutgoingMessage> messages, CancellationToken cancellationToken)
    {
        while (await messages.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (messages.TryRead(out var message))
            {
                if (message.Kind == OutgoingKind.Close)
                {
                    await CloseAsync(message.CloseStatus, message.CloseReason, cancellationToken).ConfigureAwait(false);
                    return;
                }

                _buffer.ResetWrittenCount();
                _json.Reset(_buffer);
                Write(message);
                _json.Flush();
                await socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
        }

        await CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task CloseAsync(WebSocketCloseStatus status, string? reason, CancellationToken cancellationToken)
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            await socket.CloseOutputAsync(status, reason, cancellationToken).ConfigureAwait(false);
        }
    }

    private void Write(in OutgoingMessage message)
    {
        var json = _json;
        json.WriteStartObject();
        json.WriteString("type"u8, message.Kind switch
        {
            OutgoingKind.Start => "start",
            OutgoingKind.Token => "token",
            OutgoingKind.Done => "done",
            OutgoingKind.Pong => "pong",
            _ => "error",
        });
        if (message.Id is null)
        {
            json.WriteNull("id"u8);
        }
        else
        {
            json.WriteString("id"u8, message.Id);
        }

        switch (message.Kind)
        {
            case OutgoingKind.Start:
                json.WriteString("stream_id"u8, message.StreamId);
                json.WriteNumber("from"u8, message.From);
                break;
            case OutgoingKind.Token:
                json.WriteNumber("index"u8, message.Event!.Index);
                json.WriteString("token"u8, message.Event.Text);
                break;
            case OutgoingKind.Done:
                WriteDone(json, message);
                break;
            case OutgoingKind.Error:
                json.WriteStartObject("error"u8);
                json.WriteString("type"u8, message.Error!.Type);
                json.WriteString("message"u8, message.Error.Message);
                if (message.Error.Field is { } field)
                {
                    json.WriteString("field"u8, field);
                }

                json.WriteEndObject();
                break;
        }

        json.WriteEndObject();
    }

    private static void WriteDone(Utf8JsonWriter json, in OutgoingMessage message)
    {
        var done = message.Event!;
        json.WriteString("stream_id"u8, message.StreamId);
        json.WriteNumber("index"u8, done.Index);
        json.WriteString("finish_reason"u8, done.FinishReason);
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, done.Usage!.PromptTokens);
        json.WriteNumber("completion_tokens"u8, done.Usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, done.Usage.TotalTokens);
        json.WriteEndObject();
        json.WriteStartObject("timings"u8);
        json.WriteNumber("ttft_ms"u8, done.Timings!.TtftMs);
        json.WriteNumber("tokens_per_second"u8, done.Timings.TokensPerSecond);
        json.WriteNumber("queue_ms"u8, done.Timings.QueueMs);
        json.WriteNumber("total_ms"u8, done.Timings.TotalMs);
        json.WriteEndObject();
    }
}
