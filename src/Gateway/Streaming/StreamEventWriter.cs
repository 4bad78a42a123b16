using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Chat.Gateway.Streams;
using Microsoft.AspNetCore.Http.Features;

namespace Chat.Gateway.Streaming;

/// <summary>
/// Writes one transport's framing of a generation stream straight into the response pipe and flushes
/// each event as it is produced. One JSON writer is reused for every event, so a token costs no
/// allocation here beyond the engine's text.
/// </summary>
internal abstract class StreamEventWriter
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;

    /// <summary>Response header naming the stream, so that any client (OpenAI ones too) can resume it.</summary>
    public const string StreamIdHeader = "X-Stream-Id";

    protected StreamEventWriter(HttpContext context, string streamId)
    {
        Context = context;
        StreamId = streamId;
        _pipe = context.Response.BodyWriter;
        _json = new Utf8JsonWriter(_pipe, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    protected HttpContext Context { get; }

    protected string StreamId { get; }

    public abstract string ContentType { get; }

    /// <summary>Transport label of the active-streams gauge.</summary>
    public abstract string Transport { get; }

    /// <summary>Sends headers; the stream is committed from here on and errors become an error event.</summary>
    public virtual ValueTask StartAsync(CancellationToken cancellationToken)
    {
        var response = Context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) must not hold tokens back either.
        response.Headers["X-Accel-Buffering"] = "no";
        response.Headers[StreamIdHeader] = StreamId;
        Context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return ValueTask.CompletedTask;
    }

    /// <summary>A token event (its text may be empty while the engine holds text back).</summary>
    public abstract ValueTask WriteTokenAsync(StreamEvent token, CancellationToken cancellationToken);

    /// <summary>The done event: finish reason, usage and timings of the whole generation.</summary>
    public abstract ValueTask WriteDoneAsync(StreamEvent done, CancellationToken cancellationToken);

    public abstract ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken);

    protected Utf8JsonWriter BeginJson(ReadOnlySpan<byte> prefix)
    {
        if (!prefix.IsEmpty)
        {
            _pipe.Write(prefix);
        }

        _json.Reset(_pipe);
        return _json;
    }

    protected void WriteJson<T>(ReadOnlySpan<byte> prefix, T value, JsonTypeInfo<T> typeInfo)
    {
        JsonSerializer.Serialize(BeginJson(prefix), value, typeInfo);
    }

    protected void WriteRaw(ReadOnlySpan<byte> bytes) => _pipe.Write(bytes);

    /// <summary>Ends the JSON value with <paramref name="suffix"/> and pushes everything to the socket.</summary>
    protected async ValueTask EndAsync(ReadOnlyMemory<byte> suffix, CancellationToken cancellationToken)
    {
        _json.Flush();
        _pipe.Write(suffix.Span);
        await _pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    protected ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        var flush = _pipe.FlushAsync(cancellationToken);
        return flush.IsCompletedSuccessfully ? ValueTask.CompletedTask : new ValueTask(flush.AsTask());
    }
}
