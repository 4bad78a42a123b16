using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Chat.Benchmarks.Load;

/// <summary>
/// A streaming HTTP endpoint read line by line: the OpenAI SSE form (<c>data: {chunk}</c> ...
/// <c>data: [DONE]</c>) or our native NDJSON (<c>{"token":...}</c> ... <c>{"done":true,...}</c>).
/// A non-success status (e.g. 503 when the server is full) fails the stream with the status and body.
/// Lines are scanned as UTF-8 bytes with <see cref="Utf8JsonReader"/>, without strings or documents:
/// on a 2-core machine the client shares the cores with the server it measures, so its own cost per
/// token must stay small.
/// </summary>
internal abstract class HttpStreamTarget(HttpClient client, Uri endpoint, string accept) : IStreamTarget
{
    public abstract string Name { get; }

    public async Task<StreamSample> RunAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new StringContent(Body(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        var clock = new StreamClock();
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            throw new HttpRequestException($"{endpoint} answered {(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}");
        }

        var pipe = PipeReader.Create(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var reported = 0;
        try
        {
            while (true)
            {
                var read = await pipe.ReadAsync(cancellationToken).ConfigureAwait(false);
                var buffer = read.Buffer;
                var more = ReadLines(ref buffer, clock, ref reported);
                pipe.AdvanceTo(buffer.Start, buffer.End);
                if (!more || read.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            await pipe.CompleteAsync().ConfigureAwait(false);
        }

        return clock.Finish(reported);
    }

    /// <summary>The JSON request body (the same for every call).</summary>
    protected abstract string Body();

    /// <summary>Handles one non-empty line (without its newline); false at the end of the stream.</summary>
    protected abstract bool ReadLine(ReadOnlySpan<byte> line, StreamClock clock, ref int reportedTokens);

    /// <summary>
    /// Scans one JSON value for what the benchmark needs: whether it carries a generated token
    /// (a non-empty <c>token_ids</c> array, or a non-empty string under <paramref name="textProperty"/>
    /// or <paramref name="otherTextProperty"/>), whether it is the native done line (top-level
    /// <c>"done":true</c>), and <c>usage.completion_tokens</c>. An <c>error</c> property fails the stream.
    /// </summary>
    protected static (bool Carries, bool Done) Scan(ReadOnlySpan<byte> json, ReadOnlySpan<byte> textProperty, ReadOnlySpan<byte> otherTextProperty, ref int reportedTokens)
    {
        var reader = new Utf8JsonReader(json);
        var carries = false;
        var done = false;
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.ValueTextEquals("token_ids"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.StartArray)
                {
                    reader.Read();
                    carries |= reader.TokenType == JsonTokenType.Number;
                    if (reader.TokenType != JsonTokenType.EndArray)
                    {
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals(textProperty) || (!otherTextProperty.IsEmpty && reader.ValueTextEquals(otherTextProperty)))
            {
                reader.Read();
                carries |= reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0;
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    reportedTokens = Math.Max(reportedTokens, reader.GetInt32());
                }
            }
            else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("done"u8))
            {
                reader.Read();
                done = reader.TokenType == JsonTokenType.True;
            }
            else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("error"u8))
            {
                throw new HttpRequestException($"the stream failed: {Encoding.UTF8.GetString(json)}");
            }
        }

        return (carries, done);
    }

    private bool ReadLines(ref ReadOnlySequence<byte> buffer, StreamClock clock, ref int reported)
    {
        while (true)
        {
            var end = buffer.PositionOf((byte)'\n');
            if (end is null)
            {
                return true;
            }

            var line = buffer.Slice(0, end.Value);
            buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
            var more = line.IsSingleSegment ? Line(line.FirstSpan, clock, ref reported) : Line(line.ToArray(), clock, ref reported);
            if (!more)
            {
                return false;
            }
        }
    }

    private bool Line(ReadOnlySpan<byte> line, StreamClock clock, ref int reported)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return line.IsEmpty || ReadLine(line, clock, ref reported);
    }
}
