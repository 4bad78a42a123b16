using System.Net;
using System.Text;
using System.Text.Json;
using Chat.Gateway.Tests.Fakes;

namespace Chat.Gateway.Tests.Http;

/// <summary>Client mistakes get a documented 4xx with problem details naming the field, never a 500.</summary>
public sealed class ValidationTests
{
    private const int ContextLength = 256;
    private const int MaxBodyBytes = 2048;
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    private static readonly string LongText = new('x', ContextLength + 40);

    /// <summary>(method, route, body, expected status, field named in the problem).</summary>
    public static TheoryData<string, string, string?, int, string> BadRequests => new()
    {
        { "POST", "/chat", "{", 400, "body" },
        { "POST", "/chat", "", 400, "body" },
        { "POST", "/chat", "null", 400, "body" },
        { "POST", "/chat", "[]", 400, "body" },
        { "POST", "/chat", """{"messages":"hi"}""", 400, "messages" },
        { "POST", "/chat", """{"messages":[]}""", 400, "messages" },
        { "POST", "/chat", "{}", 400, "messages" },
        { "POST", "/chat", """{"messages":[{"role":"wizard","content":"x"}]}""", 400, "messages[0].role" },
        { "POST", "/chat", """{"messages":[{"content":"x"}]}""", 400, "messages[0].role" },
        { "POST", "/chat", """{"messages":[{"role":"user"}]}""", 400, "messages[0].content" },
        { "POST", "/chat", """{"messages":[{"role":"user","content":5}]}""", 400, "messages[0].content" },
        { "POST", "/chat", """{"message":""}""", 400, "message" },
        { "POST", "/chat", """{"message":"hi","temperature":-0.1}""", 400, "temperature" },
        { "POST", "/chat", """{"message":"hi","temperature":2.5}""", 400, "temperature" },
        { "POST", "/chat", """{"message":"hi","temperature":"hot"}""", 400, "temperature" },
        { "POST", "/chat", """{"message":"hi","top_p":0}""", 400, "top_p" },
        { "POST", "/chat", """{"message":"hi","top_p":1.5}""", 400, "top_p" },
        { "POST", "/chat", """{"message":"hi","top_k":-1}""", 400, "top_k" },
        { "POST", "/chat", """{"message":"hi","top_k":1.5}""", 400, "top_k" },
        { "POST", "/chat", """{"message":"hi","min_p":-0.1}""", 400, "min_p" },
        { "POST", "/chat", """{"message":"hi","min_p":1.1}""", 400, "min_p" },
        { "POST", "/chat", """{"message":"hi","presence_penalty":3}""", 400, "presence_penalty" },
        { "POST", "/chat", """{"message":"hi","frequency_penalty":-2.5}""", 400, "frequency_penalty" },
        { "POST", "/chat", """{"message":"hi","repetition_penalty":0}""", 400, "repetition_penalty" },
        { "POST", "/chat", """{"message":"hi","repetition_penalty":-1}""", 400, "repetition_penalty" },
        { "POST", "/chat", """{"message":"hi","max_tokens":0}""", 400, "max_tokens" },
        { "POST", "/chat", """{"message":"hi","max_tokens":-5}""", 400, "max_tokens" },
        { "POST", "/chat", """{"message":"hi","max_tokens":100000}""", 400, "max_tokens" },
        { "POST", "/chat", $$"""{"message":"{{LongText}}"}""", 400, "messages" },
        { "POST", "/chat", """{"message":"hi","stop":[""]}""", 400, "stop[0]" },
        { "POST", "/chat", """{"message":"hi","stop":5}""", 400, "stop" },
        { "POST", "/chat", """{"message":"hi","seed":"x"}""", 400, "seed" },
        { "POST", "/chat", """{"message":"hi","ignore_eos":"no"}""", 400, "ignore_eos" },
        { "POST", "/chat", $$"""{"message":"{{new string('y', MaxBodyBytes)}}"}""", 413, "body" },
        { "POST", "/chat/stream", """{"message":"hi","temperature":9}""", 400, "temperature" },
        { "POST", "/chat/stream", """{"messages":[{"role":"robot","content":"x"}]}""", 400, "messages[0].role" },
        { "GET", "/chat/stream", null, 400, "message" },
        { "GET", "/chat/stream?message=hi&max_tokens=abc", null, 400, "max_tokens" },
        { "POST", "/v1/chat/completions", """{"model":"gpt-4","messages":[{"role":"user","content":"hi"}]}""", 404, "model" },
        { "POST", "/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"n":2}""", 400, "n" },
        { "POST", "/v1/chat/completions", """{"model":"fake-model"}""", 400, "messages" },
        { "POST", "/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", 400, "stream" },
        { "POST", "/v1/chat/completions", """{"messages":[{"role":"user","content":"hi"}],"max_completion_tokens":0}""", 400, "max_tokens" },
        { "POST", "/v1/completions", """{"model":"fake-model"}""", 400, "prompt" },
        { "POST", "/v1/completions", """{"prompt":{"a":1}}""", 400, "prompt" },
        { "POST", "/v1/completions", """{"prompt":[70000]}""", 400, "prompt[0]" },
        { "POST", "/v1/completions", $$"""{"prompt":"{{LongText}}"}""", 400, "prompt" },
        { "POST", "/v1/completions", """{"model":"other","prompt":"hi"}""", 404, "model" },
        { "POST", "/v1/completions", """{"prompt":"hi","top_p":-1}""", 400, "top_p" },
    };

    [Fact]
    public async Task Every_bad_request_gets_its_documented_status_and_names_the_field_and_the_server_stays_ready()
    {
        await using var gateway = await FakeGateway.StartAsync(
            new FakeGenerationEngine(ContextLength),
            new Dictionary<string, string?> { ["Chat:MaxRequestBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var client = gateway.CreateClient();
        var failures = new List<string>();
        var count = 0;
        foreach (var row in BadRequests)
        {
            var (method, route, body, status, field) = ((string)row[0], (string)row[1], (string?)row[2], (int)row[3], (string)row[4]);
            count++;
            using var request = new HttpRequestMessage(new HttpMethod(method), route);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var response = await client.SendAsync(request).WaitAsync(Timeout);
            var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json" ? JsonDocument.Parse(text).RootElement : default;
            var named = problem.ValueKind == JsonValueKind.Object
                && problem.GetProperty("status").GetInt32() == status
                && problem.GetProperty("field").GetString() == field
                && problem.GetProperty("errors").TryGetProperty(field, out _);
            if ((int)response.StatusCode != status || !named)
            {
                failures.Add($"{method} {route} {Shorten(body)} -> {(int)response.StatusCode} {text}");
            }
        }

        Assert.True(count >= 30);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        using var ready = await client.GetAsync("/ready").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(0, gateway.Engine.RunningSequences);
        Assert.Equal(count, await gateway.Host.ReadMetricAsync("gateway_requests_total", "outcome", "client_error"));
    }

    [Fact]
    public async Task OpenAi_routes_also_carry_an_openai_style_error_object()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = gateway.CreateClient();

        using var response = await client.PostAsync("/v1/chat/completions",
            new StringContent("""{"model":"nope","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json")).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement.GetProperty("error");
        Assert.Equal("model", error.GetProperty("param").GetString());
        Assert.Contains("nope", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static string Shorten(string? body) => body is null ? "" : body.Length > 60 ? body[..60] + "..." : body;
}
