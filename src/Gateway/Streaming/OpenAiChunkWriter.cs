using System.Text.Json;
using Chat.Gateway.Streams;

namespace Chat.Gateway.Streaming;

/// <summary>
/// OpenAI streaming (<c>data: {chunk}</c> ... <c>data: [DONE]</c>) for both <c>chat.completion.chunk</c>
/// and <c>text_completion</c> chunks, with <c>stream_options.include_usage</c> (every chunk carries
/// <c>"usage":null</c>, then a last chunk with no choices carries the usage) and, for completions,
/// vLLM's <c>return_token_ids</c>.
/// </summary>
internal sealed class OpenAiChunkWriter : StreamEventWriter
{
    private static readonly ReadOnlyMemory<byte> EventEnd = "\n\n"u8.ToArray();

    private readonly string _id;
    private readonly long _created;
    private readonly string _model;
    private readonly bool _chat;
    private readonly bool _includeUsage;
    private readonly IReadOnlyList<int>? _promptTokenIds;
    private bool _first = true;

    /// <param name="promptTokenIds">For completions with return_token_ids: sent with the first chunk, and each chunk carries its token ids.</param>
    public OpenAiChunkWriter(HttpContext context, string streamId, string id, long created, string model, bool chat, bool includeUsage, IReadOnlyList<int>? promptTokenIds)
        : base(context, streamId)
    {
        _id = id;
        _created = created;
        _model = model;
        _chat = chat;
        _includeUsage = includeUsage;
        _promptTokenIds = promptTokenIds;
    }

    public override string ContentType => "text/event-stream";

    public override string Transport => "openai_sse";

    public override async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
        if (_chat)
        {
            // OpenAI opens a chat stream with the role and empty content.
            var json = BeginChunk();
            json.WriteStartObject("delta"u8);
            json.WriteString("role"u8, "assistant");
            json.WriteString("content"u8, "");
            json.WriteEndObject();
            await EndChunkAsync(json, finishReason: null, cancellationToken).ConfigureAwait(false);
        }
    }

    public override async ValueTask WriteTokenAsync(StreamEvent token, CancellationToken cancellationToken)
    {
        var withIds = _promptTokenIds is not null && token.TokenId >= 0;
        if (token.Text.Length == 0 && !withIds)
        {
            return;
        }

        var json = BeginChunk();
        if (_chat)
        {
            json.WriteStartObject("delta"u8);
            json.WriteString("content"u8, token.Text);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text"u8, token.Text);
            json.WriteNull("logprobs"u8);
            if (withIds)
            {
                WriteIdsOnce(json);
                json.WriteStartArray("token_ids"u8);
                json.WriteNumberValue(token.TokenId);
                json.WriteEndArray();
            }
        }

        await EndChunkAsync(json, finishReason: null, cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteDoneAsync(StreamEvent done, CancellationToken cancellationToken)
    {
        var json = BeginChunk();
        if (_chat)
        {
            json.WriteStartObject("delta"u8);
            json.WriteEndObject();
        }
        else
        {
            json.WriteString("text"u8, "");
            json.WriteNull("logprobs"u8);
            if (_promptTokenIds is not null)
            {
                WriteIdsOnce(json);
                json.WriteStartArray("token_ids"u8);
                json.WriteEndArray();
            }
        }

        await EndChunkAsync(json, done.FinishReason, cancellationToken).ConfigureAwait(false);

        if (_includeUsage)
        {
            var usage = done.Usage!;
            json = BeginHeader();
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            json.WriteStartObject("usage"u8);
            json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
            json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
            json.WriteNumber("total_tokens"u8, usage.TotalTokens);
            json.WriteEndObject();
            json.WriteEndObject();
            await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        }

        WriteRaw("data: [DONE]\n\n"u8);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteErrorAsync(string type, string message, CancellationToken cancellationToken)
    {
        var json = BeginJson("data: "u8);
        json.WriteStartObject();
        json.WriteStartObject("error"u8);
        json.WriteString("message"u8, message);
        json.WriteString("type"u8, type);
        json.WriteEndObject();
        json.WriteEndObject();
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
        WriteRaw("data: [DONE]\n\n"u8);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private Utf8JsonWriter BeginHeader()
    {
        var json = BeginJson("data: "u8);
        json.WriteStartObject();
        json.WriteString("id"u8, _id);
        json.WriteString("object"u8, _chat ? "chat.completion.chunk" : "text_completion");
        json.WriteNumber("created"u8, _created);
        json.WriteString("model"u8, _model);
        return json;
    }

    // Opens choices[0]; the caller writes the choice's body, EndChunkAsync closes it.
    private Utf8JsonWriter BeginChunk()
    {
        var json = BeginHeader();
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        return json;
    }

    private async ValueTask EndChunkAsync(Utf8JsonWriter json, string? finishReason, CancellationToken cancellationToken)
    {
        if (finishReason is null)
        {
            json.WriteNull("finish_reason"u8);
        }
        else
        {
            json.WriteString("finish_reason"u8, finishReason);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        if (_includeUsage)
        {
            json.WriteNull("usage"u8);
        }

        json.WriteEndObject();
        await EndAsync(EventEnd, cancellationToken).ConfigureAwait(false);
    }

    private void WriteIdsOnce(Utf8JsonWriter json)
    {
        if (_first)
        {
            _first = false;
            json.WriteStartArray("prompt_token_ids"u8);
            foreach (var id in _promptTokenIds!)
            {
                json.WriteNumberValue(id);
            }

            json.WriteEndArray();
        }
    }
}
