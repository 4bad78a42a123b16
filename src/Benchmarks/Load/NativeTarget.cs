using System.Text.Json;

namespace Chat.Benchmarks.Load;

/// <summary>Our native NDJSON transport: <c>POST {base}/chat/stream</c>, one line per token, then a done line.</summary>
internal sealed class NativeTarget(HttpClient client, Uri baseUrl, string prompt, int maxTokens)
    : HttpStreamTarget(client, new Uri(baseUrl.ToString().TrimEnd('/') + "/chat/stream"), "application/x-ndjson")
{
    public override string Name => "native NDJSON /chat/stream";

    protected override string Body() => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["message"] = prompt,
        ["max_tokens"] = maxTokens,
        ["temperature"] = 0,
        ["ignore_eos"] = true,
    });

    protected override bool ReadLine(string line, StreamClock clock, ref int reportedTokens)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error))
        {
            throw new HttpRequestException($"the stream failed: {error}");
        }

        if (root.TryGetProperty("token", out _))
        {
            clock.Token();
            return true;
        }

        if (root.TryGetProperty("done", out _))
        {
            reportedTokens = CompletionTokens(root);
            return false;
        }

        return true;
    }
}
