using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Chat.Benchmarks.Load;

/// <summary>
/// A streaming HTTP endpoint read line by line: the OpenAI SSE form (<c>data: {chunk}</c> ...
/// <c>data: [DONE]</c>) or our native NDJSON (<c>{"token":...}</c> ... <c>{"done":true,...}</c>).
/// A non-success status (e.g. 503 when the server is full) fails the stream with the status and body.
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

        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var reported = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.Length > 0 && !ReadLine(line, clock, ref reported))
            {
                break;
            }
        }

        return clock.Finish(reported);
    }

    /// <summary>The JSON request body (the same for every call).</summary>
    protected abstract string Body();

    /// <summary>Handles one non-empty line; false at the end of the stream.</summary>
    protected abstract bool ReadLine(string line, StreamClock clock, ref int reportedTokens);

    protected static int CompletionTokens(JsonElement root) =>
        root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("completion_tokens", out var tokens)
            ? tokens.GetInt32()
            : 0;
}
