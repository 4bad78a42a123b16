using System.Net;
using System.Text;
using System.Text.Json;
using Chat.Gateway.Tests.Fakes;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Http;

/// <summary>Request ids, JSON logs, metrics and API docs.</summary>
public sealed class ObservabilityTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    [Fact]
    public async Task Request_ids_are_echoed_or_generated()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = gateway.CreateClient();

        using var given = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { { "X-Request-Id", "trace-me-42" } } };
        using var echoed = await client.SendAsync(given).WaitAsync(Timeout);
        using var fresh = await client.PostAsync("/chat", new StringContent("{}", Encoding.UTF8, "application/json")).WaitAsync(Timeout);

        Assert.Equal("trace-me-42", Assert.Single(echoed.Headers.GetValues("X-Request-Id")));
        var generated = Assert.Single(fresh.Headers.GetValues("X-Request-Id"));
        Assert.Equal(32, generated.Length);
        // Problem details carry the same id, so a client can quote it.
        Assert.Contains(generated, await fresh.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_cover_tokens_latency_streams_and_model()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = gateway.CreateClient();
        using (var stream = await client.PostAsync("/chat/stream", new StringContent("""{"message":"hi","max_tokens":5}""", Encoding.UTF8, "application/json")).WaitAsync(Timeout))
        {
            await stream.Content.ReadAsStringAsync().WaitAsync(Timeout);
        }

        using var completion = await client.PostAsync("/v1/completions", new StringContent("""{"prompt":"abc","max_tokens":3}""", Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        var text = await client.GetStringAsync("/metrics").WaitAsync(Timeout);

        Assert.Equal(2, await gateway.Host.ReadMetricAsync("gateway_time_to_first_token_seconds_count"));
        Assert.Equal(4 + 2, await gateway.Host.ReadMetricAsync("gateway_inter_token_latency_seconds_count"));
        Assert.Equal(2, await gateway.Host.ReadMetricAsync("gateway_queue_time_seconds_count"));
        Assert.Equal(8, await gateway.Host.ReadMetricAsync("gateway_generation_tokens_total"));
        Assert.Equal("<user>hi\n<assistant>".Length + 3, await gateway.Host.ReadMetricAsync("gateway_prompt_tokens_total"));
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_requests_total", "route", "/chat/stream", "outcome", "ok"));
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_request_duration_seconds_count", "route", "/v1/completions"));
        Assert.Contains("gateway_model_info{model=\"fake-model\"", text, StringComparison.Ordinal);
        Assert.Contains("gateway_active_streams{transport=\"ndjson\"} 0", text, StringComparison.Ordinal);
        Assert.Contains("http_requests_received_total", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenApi_document_and_docs_page_are_served()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = gateway.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json").WaitAsync(Timeout)).RootElement;
        using var docs = await client.GetAsync("/docs").WaitAsync(Timeout);

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/chat", "/chat/stream", "/v1/chat/completions", "/v1/completions", "/v1/models", "/health", "/ready" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        Assert.Contains("max_tokens", document.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Equal("text/html", docs.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Json_logs_are_one_object_per_line_with_the_request_id_in_scope()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:JsonLogs"] = "true",
            ["Logging:LogLevel:Microsoft.AspNetCore.Routing"] = "Information",
        }).WaitAsync(TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health") { Headers = { { "X-Request-Id", "json-log-check-7" } } };
        using var response = await client.SendAsync(request).WaitAsync(Timeout);

        var deadline = DateTime.UtcNow + Timeout;
        while (!gateway.Output.Contains("json-log-check-7", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50).WaitAsync(Timeout);
        }

        var lines = gateway.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines, l => l.Contains("json-log-check-7", StringComparison.Ordinal) && l.Contains("Executing endpoint", StringComparison.Ordinal));
        var entry = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Information", entry.GetProperty("LogLevel").GetString());
        Assert.Contains(entry.GetProperty("Scopes").EnumerateArray(), s => s.TryGetProperty("XRequestId", out var id) && id.GetString() == "json-log-check-7");
        // Every console line of the process is JSON.
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
    }
}
