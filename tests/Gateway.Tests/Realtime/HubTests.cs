using Chat.Gateway.Contracts;
using Chat.Gateway.Tests.Fakes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>The SignalR hub with the official client: same pipeline as HTTP, cancellation, typed errors, limits.</summary>
public sealed class HubTests
{
    private static readonly TimeSpan Timeout = HubClient.Timeout;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task StreamChat_streams_the_same_text_as_post_chat_for_the_same_seed(bool messagePack)
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Engine.AnswerLength = 20;
        using var client = gateway.CreateClient();
        var expected = await Waits.PostChatAsync(client, new { message = "Tell me a story", temperature = 0.9, seed = 42, max_tokens = 12 });

        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress, messagePack: messagePack);
        var request = new ChatRequest { Message = "Tell me a story", Temperature = 0.9f, Seed = 42, MaxTokens = 12 };
        var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("StreamChat", request).GetAsyncEnumerator());

        Assert.Equal(expected.GetProperty("message").GetProperty("content").GetString(), HubClient.Text(items));
        Assert.Equal(Enumerable.Range(0, 12), items.SkipLast(1).Select(i => i.Index));
        Assert.Single(items.Select(i => i.StreamId).Distinct());
        var done = items[^1];
        Assert.True(done.Done);
        Assert.Equal("length", done.FinishReason);
        Assert.Equal(12, done.Usage!.CompletionTokens);
        Assert.Equal(expected.GetProperty("usage").GetProperty("prompt_tokens").GetInt32(), done.Usage.PromptTokens);
        Assert.NotNull(done.Timings);
    }

    [Fact]
    public async Task Disposing_the_stream_on_the_client_cancels_the_generation_at_once()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        // A grace period far beyond the test's timeout: only the explicit cancel can stop the sequence in time.
        await using var gateway = await FakeGateway.StartAsync(engine, new Dictionary<string, string?> { ["Streams:DisconnectGraceSeconds"] = "3600" });
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);

        using var cancel = new CancellationTokenSource();
        var items = hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "go" }, cancel.Token).GetAsyncEnumerator(cancel.Token);
        gate.Release(2);
        Assert.Equal(2, (await HubClient.ReadAsync(items, 2)).Count);
        await cancel.CancelAsync();

        await Waits.ForAsync(() => engine.RunningSequences == 0);
        Assert.Equal(2, engine.CancelledTokens);
        await Waits.ForAsync(async () => await gateway.Host.ReadMetricAsync("gateway_active_streams", "transport", "signalr") == 0);
        Assert.Equal(0, await gateway.Host.ReadMetricAsync("gateway_stream_grace_cancellations_total"));
    }

    [Fact]
    public async Task A_dropped_connection_leaves_the_generation_to_the_grace_period_then_it_is_cancelled()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        await using var gateway = await FakeGateway.StartAsync(engine, new Dictionary<string, string?> { ["Streams:DisconnectGraceSeconds"] = "0.2" });
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var items = hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "go" }).GetAsyncEnumerator();
        gate.Release();
        Assert.Single(await HubClient.ReadAsync(items, 1));
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_active_connections", "transport", "signalr"));

        await hub.DisposeAsync().AsTask().WaitAsync(Timeout);

        await Waits.ForAsync(() => engine.RunningSequences == 0);
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_stream_grace_cancellations_total"));
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_stream_disconnects_total", "transport", "signalr"));
        await Waits.ForAsync(async () => await gateway.Host.ReadMetricAsync("gateway_active_connections", "transport", "signalr") == 0);
    }

    [Fact]
    public async Task Invalid_requests_are_typed_hub_errors_naming_the_field_and_the_connection_keeps_serving()
    {
        await using var gateway = await FakeGateway.StartAsync();
        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);

        var invalid = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "hi", MaxTokens = 0, Temperature = 5 }).GetAsyncEnumerator()));
        Assert.Contains("invalid_request (max_tokens):", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("temperature", invalid.Message, StringComparison.Ordinal);

        var empty = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest()).GetAsyncEnumerator()));
        Assert.Contains("invalid_request (messages):", empty.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("NoSuchMethod").WaitAsync(Timeout));
        Assert.Contains("NoSuchMethod", unknown.Message, StringComparison.Ordinal);

        var wrongArguments = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("ResumeStream", "some-id", "not a number").GetAsyncEnumerator()));
        Assert.Contains("ResumeStream", wrongArguments.Message, StringComparison.Ordinal);

        var tooFew = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<string>("EndConversation").WaitAsync(Timeout));
        Assert.Contains("EndConversation", tooFew.Message, StringComparison.Ordinal);

        var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "still here" }).GetAsyncEnumerator());
        Assert.True(items[^1].Done);
        Assert.Equal(HubConnectionState.Connected, hub.State);
        Assert.True(await gateway.Host.ReadMetricAsync("gateway_realtime_errors_total", "transport", "signalr", "type", "invalid_request") >= 2);
    }

    [Fact]
    public async Task A_connection_over_its_concurrent_stream_limit_gets_a_typed_error()
    {
        var engine = new FakeGenerationEngine();
        await using var gateway = await FakeGateway.StartAsync(engine, new Dictionary<string, string?> { ["Realtime:MaxConcurrentStreamsPerConnection"] = "1" });
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);

        var first = hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "one" }).GetAsyncEnumerator();
        gate.Release();
        Assert.Single(await HubClient.ReadAsync(first, 1));

        var second = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(
            hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "two" }).GetAsyncEnumerator()));
        Assert.Contains("too_many_streams:", second.Message, StringComparison.Ordinal);

        gate.Release(100);
        Assert.True((await HubClient.ReadAsync(first))[^1].Done);
        var third = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "three" }).GetAsyncEnumerator());
        Assert.True(third[^1].Done);
    }
}
