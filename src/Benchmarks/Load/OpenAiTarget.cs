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

    protected override bool ReadLine(ReadOnlySpan<byte> line, StreamClock clock, ref int reportedTokens)
    {
        if (!line.StartsWith("data:"u8))
        {
            return true;
        }

        var data = line[5..].Trim((byte)' ');
        if (data.SequenceEqual("[DONE]"u8))
        {
            return false;
        }

        // A chunk with generated text or token ids; a chat role-only opener ("content":"") or a usage-only chunk is not a token.
        if (Scan(data, "text"u8, "content"u8, ref reportedTokens).Carries)
        {
            clock.Token();
        }

        return true;
    }
}
