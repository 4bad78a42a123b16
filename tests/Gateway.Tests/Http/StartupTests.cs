using System.Net;
using System.Text;
using System.Text.Json;
using Chat.Gateway.Engine;
using Chat.Gateway.Options;
using Chat.Gateway.Tests.Fakes;
using Chat.Inference.Engine;
using Chat.TestSupport;
using Chat.TestSupport.Hosting;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Tests.Http;

/// <summary>Background model load, readiness, configuration validation, capacity answers.</summary>
public sealed class StartupTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    [Fact]
    public async Task Health_is_up_at_once_and_ready_follows_the_background_load_and_warm_up()
    {
        var release = new TaskCompletionSource();
        var engine = new FakeGenerationEngine();
        string? loadedPath = null;
        await using var host = await GatewayTestHost.StartAsync(
            new Dictionary<string, string?> { ["ChatModel:Path"] = "models/some-model" },
            services => services.AddChatEngine(
                async (options, cancellationToken) =>
                {
                    loadedPath = options.Path;
                    await release.Task.WaitAsync(cancellationToken);
                    return engine;
                },
                loaded => new FakeEngineChatClient(loaded))).WaitAsync(Timeout);
        using var client = host.CreateClient();

        using (var health = await client.GetAsync("/health").WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using (var ready = await client.GetAsync("/ready").WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.NotNull(ready.Headers.RetryAfter);
            Assert.Contains("\"chat-model\":\"loading\"", await ready.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        }

        using (var early = await client.PostAsync("/chat", Json("""{"message":"hi"}""")).WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.NotNull(early.Headers.RetryAfter);
            Assert.Equal("application/problem+json", early.Content.Headers.ContentType!.MediaType);
        }

        using (var models = await client.GetAsync("/v1/models").WaitAsync(Timeout))
        {
            Assert.Equal(0, JsonDocument.Parse(await models.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement.GetProperty("data").GetArrayLength());
        }

        release.SetResult();
        await host.WaitUntilReadyAsync(Timeout);

        using (var ready = await client.GetAsync("/ready").WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Contains("\"chat-model\":\"fake-model\"", await ready.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);
        }

        // The warm-up generation ran before readiness; relative model paths resolve against the repository root.
        Assert.Single(engine.Requests);
        Assert.Equal(Path.Combine(RepositoryPaths.Root, "models", "some-model"), loadedPath);
        Assert.Equal(1, await host.ReadMetricAsync("gateway_model_info", "model", "fake-model"));
        using var list = await client.GetAsync("/v1/models").WaitAsync(Timeout);
        var card = JsonDocument.Parse(await list.Content.ReadAsStringAsync().WaitAsync(Timeout)).RootElement.GetProperty("data")[0];
        Assert.Equal("fake-model", card.GetProperty("id").GetString());
        Assert.Equal("model", card.GetProperty("object").GetString());
    }

    [Fact]
    public async Task A_failed_load_keeps_ready_at_503_with_the_reason()
    {
        await using var host = await GatewayTestHost.StartAsync(
            new Dictionary<string, string?>(),
            services => services.AddChatEngine(
                (_, _) => Task.FromException<IGenerationEngine>(new FileNotFoundException("genai_config.json not found in /models/x")),
                loaded => new FakeEngineChatClient(loaded))).WaitAsync(Timeout);
        using var client = host.CreateClient();

        var body = "";
        for (var attempt = 0; attempt < 200 && !body.Contains("failed", StringComparison.Ordinal); attempt++)
        {
            using var ready = await client.GetAsync("/ready").WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            body = await ready.Content.ReadAsStringAsync().WaitAsync(Timeout);
            await Task.Delay(20).WaitAsync(Timeout);
        }

        Assert.Contains("failed: genai_config.json not found in /models/x", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ChatModel:MaxBatchSize", "0")]
    [InlineData("ChatModel:MaxQueue", "-1")]
    [InlineData("ChatModel:Path", "")]
    [InlineData("Chat:MaxRequestBodyBytes", "10")]
    [InlineData("Chat:DefaultMaxTokens", "0")]
    public async Task Bad_configuration_stops_startup_naming_the_key(string key, string value)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayTestHost.StartAsync(
            new Dictionary<string, string?> { [key] = value },
            services => services.AddChatEngine((_, _) => Task.FromResult<IGenerationEngine>(new FakeGenerationEngine()), e => new FakeEngineChatClient(e)))).WaitAsync(Timeout);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_system_prompt_template_stops_startup_naming_the_key()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayTestHost.StartAsync(
            new Dictionary<string, string?> { ["Chat:SystemPrompt"] = "You are {{$}} and {{ 'unterminated }}" },
            services => services.AddChatEngine((_, _) => Task.FromResult<IGenerationEngine>(new FakeGenerationEngine()), e => new FakeEngineChatClient(e)))).WaitAsync(Timeout);

        Assert.Contains("Chat:SystemPrompt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_over_capacity_answers_503_with_retry_after_and_stays_ready()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Engine.Overloaded = new EngineOverloadedException("queue_full", TimeSpan.FromSeconds(3));
        using var client = gateway.CreateClient();

        foreach (var route in new[] { "/chat", "/chat/stream", "/v1/chat/completions" })
        {
            using var response = await client.PostAsync(route, Json("""{"messages":[{"role":"user","content":"hi"}],"stream":true}""")).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter!.Delta);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }

        using var completions = await client.PostAsync("/v1/completions", Json("""{"prompt":"hi"}""")).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, completions.StatusCode);
        using var ready = await client.GetAsync("/ready").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(4, await gateway.Host.ReadMetricAsync("gateway_requests_total", "outcome", "overloaded"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

}
