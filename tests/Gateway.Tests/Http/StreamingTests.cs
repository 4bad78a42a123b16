using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Chat.Gateway.Tests.Fakes;

namespace Chat.Gateway.Tests.Http;

/// <summary>Every streaming route on real Kestrel: tokens flushed one by one, shapes as DESIGN.md fixes them.</summary>
public sealed class StreamingTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    public static TheoryData<string> Routes => new() { "ndjson", "sse", "sse-get", "openai-chat", "openai-completions" };

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Each_route_sends_every_token_before_the_next_one_is_generated(string route)
    {
        await using var gateway = await FakeGateway.StartAsync();
        var engine = gateway.Engine;
        engine.AnswerLength = 4;
        using var gate = new SemaphoreSlim(0);
        // Armed after the warm-up: from now on the engine produces a token only when the test allows it.
        engine.TokenGate = gate;
        var finishedBefore = engine.FinishedGenerations;
        using var client = gateway.CreateClient();

        var send = client.SendAsync(Request(route), HttpCompletionOption.ResponseHeadersRead);
        gate.Release();
        using var response = await send.WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(route == "ndjson" ? "application/x-ndjson" : "text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: route != "ndjson");
        if (route == "openai-chat")
        {
            var opening = EventReader.Data((await events.NextAsync())!);
            Assert.Equal("assistant", opening.GetProperty("choices")[0].GetProperty("delta").GetProperty("role").GetString());
        }

        var text = new StringBuilder();
        for (var i = 0; i < engine.AnswerLength; i++)
        {
            var item = (await events.NextAsync())!;
            if (i < engine.AnswerLength - 1)
            {
                // The engine is parked on the gate: this token reached the client while generation was still running.
                Assert.Equal(finishedBefore, engine.FinishedGenerations);
            }

            text.Append(TokenText(route, item, i));
            gate.Release();
        }

        var rest = await events.RestAsync();
        AssertEnding(route, rest, text.ToString(), engine.AnswerLength);
    }

    [Theory]
    [InlineData("/chat", "/chat/stream")]
    [InlineData("/v1/chat/completions", "/v1/chat/completions")]
    [InlineData("/v1/completions", "/v1/completions")]
    public async Task Streamed_text_equals_non_streamed_text_for_the_same_seed(string plainRoute, string streamRoute)
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Engine.AnswerLength = 20;
        using var client = gateway.CreateClient();
        var openAi = plainRoute.StartsWith("/v1", StringComparison.Ordinal);
        var completions = plainRoute == "/v1/completions";
        var body = new Dictionary<string, object?>
        {
            ["temperature"] = 0.9,
            ["seed"] = 42,
            ["max_tokens"] = 12,
        };
        if (completions)
        {
            body["prompt"] = "Once upon a time";
        }
        else
        {
            body["messages"] = new[] { new { role = "user", content = "Tell me a story" } };
        }

        using var plain = await client.PostAsJsonAsync(plainRoute, body).WaitAsync(Timeout);
        var plainJson = JsonDocument.Parse(await plain.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement;
        var plainText = completions ? plainJson.GetProperty("choices")[0].GetProperty("text").GetString()
            : openAi ? plainJson.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()
            : plainJson.GetProperty("message").GetProperty("content").GetString();

        if (openAi)
        {
            body["stream"] = true;
        }

        using var streamed = await client.PostAsJsonAsync(streamRoute, body).WaitAsync(Timeout);
        using var events = new EventReader(await streamed.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: openAi);
        var text = new StringBuilder();
        foreach (var item in await events.RestAsync())
        {
            if (openAi && item == "data: [DONE]")
            {
                continue;
            }

            var json = EventReader.Data(item);
            if (completions)
            {
                text.Append(json.GetProperty("choices")[0].GetProperty("text").GetString());
            }
            else if (openAi)
            {
                text.Append(json.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : "");
            }
            else if (json.TryGetProperty("token", out var token))
            {
                text.Append(token.GetString());
            }
        }

        Assert.Equal(12, plainText!.Length);
        Assert.Equal(plainText, text.ToString());
    }

    private static HttpRequestMessage Request(string route)
    {
        const string chat = """{"messages":[{"role":"user","content":"hi"}],"seed":3,"temperature":0.5}""";
        return route switch
        {
            "ndjson" => new HttpRequestMessage(HttpMethod.Post, "/chat/stream") { Content = Json(chat) },
            "sse" => new HttpRequestMessage(HttpMethod.Post, "/chat/stream") { Content = Json(chat), Headers = { { "Accept", "text/event-stream" } } },
            "sse-get" => new HttpRequestMessage(HttpMethod.Get, "/chat/stream?message=hi&seed=3"),
            "openai-chat" => new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = Json("""{"model":"fake-model","messages":[{"role":"user","content":"hi"}],"stream":true,"stream_options":{"include_usage":true}}"""),
            },
            _ => new HttpRequestMessage(HttpMethod.Post, "/v1/completions")
            {
                Content = Json("""{"model":"fake-model","prompt":[5,6,7],"stream":true,"return_token_ids":true,"stream_options":{"include_usage":true}}"""),
            },
        };
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string TokenText(string route, string item, int index)
    {
        var data = EventReader.Data(item);
        switch (route)
        {
            case "ndjson":
                Assert.Equal(index, data.GetProperty("index").GetInt32());
                Assert.Equal(32, data.GetProperty("stream_id").GetString()!.Length);
                return data.GetProperty("token").GetString()!;
            case "sse" or "sse-get":
                Assert.Equal("token", EventReader.Field(item, "event"));
                Assert.Equal(index.ToString(System.Globalization.CultureInfo.InvariantCulture), EventReader.Field(item, "id"));
                return data.GetProperty("token").GetString()!;
            case "openai-chat":
                Assert.Equal("chat.completion.chunk", data.GetProperty("object").GetString());
                Assert.StartsWith("chatcmpl-", data.GetProperty("id").GetString(), StringComparison.Ordinal);
                Assert.Equal("fake-model", data.GetProperty("model").GetString());
                Assert.True(data.GetProperty("created").GetInt64() > 0);
                Assert.Equal(JsonValueKind.Null, data.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
                return data.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString()!;
            default:
                var choice = data.GetProperty("choices")[0];
                Assert.Equal("text_completion", data.GetProperty("object").GetString());
                Assert.Equal(index == 0, choice.TryGetProperty("prompt_token_ids", out _));
                var text = choice.GetProperty("text").GetString()!;
                Assert.Equal(text[0], (char)choice.GetProperty("token_ids")[0].GetInt32());
                return text;
        }
    }

    private static void AssertEnding(string route, List<string> rest, string text, int tokens)
    {
        Assert.Equal(tokens, text.Length);
        if (route is "ndjson" or "sse" or "sse-get")
        {
            var done = EventReader.Data(Assert.Single(rest));
            if (route != "ndjson")
            {
                Assert.Equal("done", EventReader.Field(rest[0], "event"));
            }

            Assert.True(done.GetProperty("done").GetBoolean());
            Assert.Equal("stop", done.GetProperty("finish_reason").GetString());
            Assert.Equal(tokens, done.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
            Assert.True(done.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
            Assert.True(done.GetProperty("timings").GetProperty("total_ms").GetDouble() >= 0);
            return;
        }

        Assert.Equal(3, rest.Count);
        var finish = EventReader.Data(rest[0]);
        Assert.Equal("stop", finish.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        var usage = EventReader.Data(rest[1]);
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal(tokens, usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(route == "openai-completions" ? 3 : "<user>hi\n<assistant>".Length, usage.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("data: [DONE]", rest[2]);
    }
}
