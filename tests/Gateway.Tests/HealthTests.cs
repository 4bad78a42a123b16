using System.Net;
using System.Text.Json;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests;

/// <summary>The gateway binary as the README runs it: embedded defaults, every route area mapped together.</summary>
public sealed class HealthTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_default_gateway_serves_health_readiness_and_every_model()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>()).WaitAsync(TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };

        using var health = await client.GetAsync("/health").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"ok\"", await health.Content.ReadAsStringAsync().WaitAsync(Timeout), StringComparison.Ordinal);

        using var cancellation = new CancellationTokenSource(Timeout);
        while ((await client.GetAsync("/ready", cancellation.Token)).StatusCode != HttpStatusCode.OK)
        {
            await Task.Delay(50, cancellation.Token);
        }

        var models = JsonDocument.Parse(await client.GetStringAsync("/models").WaitAsync(Timeout)).RootElement;
        var listed = models.GetProperty("models").EnumerateArray().Select(m => (m.GetProperty("id").GetString(), m.GetProperty("kind").GetString())).ToList();
        Assert.Contains(("chat-default", "decoder"), listed);
        Assert.Contains(("breast-cancer", "classifier"), listed);

        var openAiModels = JsonDocument.Parse(await client.GetStringAsync("/v1/models").WaitAsync(Timeout)).RootElement;
        Assert.Equal("chat-default", openAiModels.GetProperty("data")[0].GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json").WaitAsync(Timeout)).StatusCode);
        Assert.Contains("gateway_model_info", await client.GetStringAsync("/metrics").WaitAsync(Timeout), StringComparison.Ordinal);
    }
}
