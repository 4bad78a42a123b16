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

    protected override bool ReadLine(ReadOnlySpan<byte> line, StreamClock clock, ref int reportedTokens)
    {
        var (carries, done) = Scan(line, "token"u8, default, ref reportedTokens);
        if (carries)
        {
            clock.Token();
        }

        return !done;
    }
}
