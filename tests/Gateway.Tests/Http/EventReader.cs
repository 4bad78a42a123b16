using System.Text;
using System.Text.Json;

namespace Chat.Gateway.Tests.Http;

/// <summary>Reads one NDJSON line or one server-sent event at a time from a response body.</summary>
internal sealed class EventReader(Stream body, bool sse) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly StreamReader _reader = new(body, Encoding.UTF8);

    /// <summary>The next event: an NDJSON line, or an SSE event's field lines joined by '\n'; null at the end.</summary>
    public async Task<string?> NextAsync()
    {
        if (!sse)
        {
            return await _reader.ReadLineAsync().WaitAsync(Timeout);
        }

        var lines = new List<string>();
        while (await _reader.ReadLineAsync().WaitAsync(Timeout) is { } line)
        {
            if (line.Length == 0)
            {
                if (lines.Count > 0)
                {
                    return string.Join('\n', lines);
                }

                continue;
            }

            lines.Add(line);
        }

        return lines.Count > 0 ? string.Join('\n', lines) : null;
    }

    public async Task<List<string>> RestAsync()
    {
        var events = new List<string>();
        while (await NextAsync() is { } next)
        {
            events.Add(next);
        }

        return events;
    }

    /// <summary>The JSON of an SSE event's <c>data:</c> field (or the NDJSON line itself).</summary>
    public static JsonElement Data(string item)
    {
        var data = item.Split('\n').FirstOrDefault(l => l.StartsWith("data: ", StringComparison.Ordinal))?["data: ".Length..] ?? item;
        return JsonDocument.Parse(data).RootElement.Clone();
    }

    public static string? Field(string item, string name) =>
        item.Split('\n').FirstOrDefault(l => l.StartsWith(name + ": ", StringComparison.Ordinal))?[(name.Length + 2)..];

    public void Dispose() => _reader.Dispose();
}
