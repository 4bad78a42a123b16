using System.Text.Json;

namespace Chat.Benchmarks.Load;

/// <summary>
/// Any OpenAI-compatible server (ours, vLLM, llama.cpp's server): <c>/completions</c> or
/// <c>/chat/completions</c> under the given base (e.g. http://127.0.0.1:8000/v1), greedy, with
/// <c>ignore_eos</c> so every stream produces exactly <c>max_tokens</c> tokens.
/// </summary>
internal sealed class OpenAiTarget(HttpClient client, Uri baseUrl, bool chat, string model, string prompt, int maxTokens)
    : HttpStreamTarget(client, new Uri(baseUrl.ToString().TrimEnd('/') + (chat ? "/chat/completions" : "/completions")), "text/event-stream")
{
    public override string Name => chat ? "OpenAI /v1/chat/completions" : "OpenAI /v1/completions";

    protected override string Body()
    {
        var body = new Dictionary<string, object>
        {
            ["model"] = model,
            ["max_tokens"] = maxTokens,
            ["temperature"] = 0,
            ["stream"] = true,
            ["ignore_eos"] = true,
            ["stream_options"] = new Dictionary<string, object> { ["include_usage"] = true },
        };
        if (chat)
        {
            body["messages"] = new[] { new Dictionary<string, string> { ["role"] = "user", ["content"] = prompt } };
        }
        else
        {
            body["prompt"] = prompt;

            // Counts every token, also those whose text is empty or held back (a random model's
            // special tokens): ours and vLLM then send each token's id in its chunk.
            body["return_token_ids"] = true;
        }

        return JsonSerializer.Serialize(body);
    }

    protected override bool ReadLine(string line, StreamClock clock, ref int reportedTokens)
    {
        if (!line.StartsWith("data:", StringComparison.Ordinal))
        {
            return true;
        }

        var data = line.AsSpan(5).Trim();
        if (data.SequenceEqual("[DONE]"))
        {
            return false;
        }

        using var chunk = JsonDocument.Parse(data.ToString());
        var root = chunk.RootElement;
        reportedTokens = Math.Max(reportedTokens, CompletionTokens(root));
        if (root.TryGetProperty("choices", out var choices) && choices.GetArrayLength() > 0 && CarriesToken(choices[0]))
        {
            clock.Token();
        }

        return true;
    }

    /// <summary>A chunk with generated text (a chat role-only opener or a usage-only chunk is not a token).</summary>
    private static bool CarriesToken(JsonElement choice)
    {
        if (choice.TryGetProperty("token_ids", out var ids) && ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() > 0)
        {
            return true;
        }

        var text = choice.TryGetProperty("delta", out var delta)
            ? delta.TryGetProperty("content", out var content) ? content : default
            : choice.TryGetProperty("text", out var plain) ? plain : default;
        return text.ValueKind == JsonValueKind.String && text.GetString()!.Length > 0;
    }
}
