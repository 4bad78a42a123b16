using System.Text;
using Chat.Gateway.Tests.Fakes;

namespace Chat.Gateway.Tests.Http;

/// <summary>A client that goes away cancels its engine sequence; partial usage is counted.</summary>
public sealed class DisconnectTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    // These tests check that leaving cancels at once: no disconnect grace period to wait for a resume.
    private static readonly Dictionary<string, string?> NoGrace = new() { ["Streams:DisconnectGraceSeconds"] = "0" };

    [Fact]
    public async Task Hundred_streams_aborted_mid_generation_leave_no_running_sequence()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        await using var gateway = await FakeGateway.StartAsync(engine, NoGrace);
        engine.TokenDelay = TimeSpan.FromMilliseconds(5);
        using var client = gateway.CreateClient();
        string[] routes = ["ndjson", "sse", "openai"];

        // Ten at a time: each stream delivers a couple of tokens, then its client hangs up.
        for (var batch = 0; batch < 10; batch++)
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(i => AbortAfterTwoTokensAsync(client, routes[(batch * 10 + i) % routes.Length]))).WaitAsync(Timeout);
        }

        await WaitForAsync(() => engine.RunningSequences == 0);
        foreach (var transport in new[] { "ndjson", "sse", "openai_sse" })
        {
            await WaitForAsync(async () => await gateway.Host.ReadMetricAsync("gateway_active_streams", "transport", transport) == 0);
        }

        await WaitForAsync(async () => await gateway.Host.ReadMetricAsync("gateway_requests_total", "outcome", "cancelled") == 100);
        Assert.True(engine.CancelledTokens >= 200, $"engine cancelled {engine.CancelledTokens} tokens");
        Assert.True(await gateway.Host.ReadMetricAsync("gateway_cancelled_tokens_total") >= 200);
        using var ready = await client.GetAsync("/ready").WaitAsync(Timeout);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_client_that_leaves_during_prefill_cancels_its_sequence()
    {
        var engine = new FakeGenerationEngine();
        await using var gateway = await FakeGateway.StartAsync(engine, NoGrace);
        engine.PrefillDelay = TimeSpan.FromMinutes(5);
        using var client = gateway.CreateClient();
        using var cancel = new CancellationTokenSource();

        var send = client.PostAsync("/chat/stream", new StringContent("""{"message":"hi"}""", Encoding.UTF8, "application/json"), cancel.Token);
        await WaitForAsync(() => engine.RunningSequences == 1);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send).WaitAsync(Timeout);

        await WaitForAsync(() => engine.RunningSequences == 0);
        await WaitForAsync(async () => await gateway.Host.ReadMetricAsync("gateway_requests_total", "outcome", "cancelled") == 1);
    }

    private static async Task AbortAfterTwoTokensAsync(HttpClient client, string route)
    {
        using var request = route switch
        {
            "ndjson" => new HttpRequestMessage(HttpMethod.Post, "/chat/stream") { Content = Json("""{"message":"go"}""") },
            "sse" => new HttpRequestMessage(HttpMethod.Post, "/chat/stream") { Content = Json("""{"message":"go"}"""), Headers = { { "Accept", "text/event-stream" } } },
            _ => new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = Json("""{"messages":[{"role":"user","content":"go"}],"stream":true}""") },
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: route != "ndjson");
        for (var i = 0; i < (route == "openai" ? 3 : 2); i++)
        {
            Assert.NotNull(await events.NextAsync());
        }

        // Disposing the response mid-stream closes the connection: the server sees the client leave.
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Task WaitForAsync(Func<bool> condition) => WaitForAsync(() => Task.FromResult(condition()));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(10, cancellation.Token);
        }
    }
}
