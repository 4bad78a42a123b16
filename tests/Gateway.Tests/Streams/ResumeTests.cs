using System.Net;
using System.Text.Json;
using Chat.Gateway.Contracts;
using Chat.Gateway.Tests.Fakes;
using Chat.Gateway.Tests.Http;
using Chat.Gateway.Tests.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Gateway.Tests.Streams;

/// <summary>
/// A client drops after k tokens; the generation keeps running (grace period) and the same client
/// resumes on the same or another transport with exactly the remaining events. Tokens are released
/// by a gate: some while nobody is attached (replayed from the buffer), the rest after (live).
/// </summary>
public sealed class ResumeTests
{
    private const int Answer = 10;
    private const int Seen = 3;
    private static readonly TimeSpan Timeout = Waits.Timeout;
    private static readonly Dictionary<string, string?> LongGrace = new() { ["Streams:DisconnectGraceSeconds"] = "3600" };

    [Fact]
    public async Task A_SignalR_stream_dropped_after_k_tokens_resumes_over_SSE_with_exactly_the_remaining_events()
    {
        await using var gateway = await FakeGateway.StartAsync(new FakeGenerationEngine { AnswerLength = Answer }, LongGrace);
        var expected = await ExpectedTextAsync(gateway);
        using var gate = new SemaphoreSlim(0);
        gateway.Engine.TokenGate = gate;

        var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var items = hub.StreamAsync<ChatStreamItem>("StreamChat", new ChatRequest { Message = "story", Seed = 9, Temperature = 0.8f }).GetAsyncEnumerator();
        gate.Release(Seen);
        var first = await HubClient.ReadAsync(items, Seen);
        await hub.DisposeAsync().AsTask().WaitAsync(Timeout);
        gate.Release(2);
        var streamId = first[0].StreamId;

        using var client = gateway.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/chat/streams/{streamId}") { Headers = { { "Accept", "text/event-stream" }, { "X-Client-Id", "client-a" }, { "Last-Event-ID", first[^1].Index.ToString(System.Globalization.CultureInfo.InvariantCulture) } } };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        gate.Release(100);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: true);
        var rest = await events.RestAsync();

        var tokens = rest.Where(e => EventReader.Field(e, "event") == "token").ToList();
        Assert.Equal(Enumerable.Range(Seen, Answer - Seen).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), tokens.Select(e => EventReader.Field(e, "id")));
        Assert.Equal(expected, HubClient.Text(first) + string.Concat(tokens.Select(e => EventReader.Data(e).GetProperty("token").GetString())));
        Assert.Equal("done", EventReader.Field(rest[^1], "event"));
        Assert.Equal(Answer, EventReader.Data(rest[^1]).GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_stream_resumes_total", "transport", "sse", "outcome", "ok"));
        Assert.Equal(2, await gateway.Host.ReadMetricAsync("gateway_stream_replayed_events_total", "transport", "sse"));
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_stream_disconnects_total", "transport", "signalr"));
    }

    [Fact]
    public async Task An_SSE_stream_dropped_after_k_tokens_resumes_over_a_WebSocket_with_exactly_the_remaining_events()
    {
        await using var gateway = await FakeGateway.StartAsync(new FakeGenerationEngine { AnswerLength = Answer }, LongGrace);
        var expected = await ExpectedTextAsync(gateway);
        using var gate = new SemaphoreSlim(0);
        gateway.Engine.TokenGate = gate;
        using var client = gateway.CreateClient();

        string streamId;
        var seen = new List<string>();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/chat/stream")
        {
            Content = Waits.Json("""{"message":"story","seed":9,"temperature":0.8}"""),
            Headers = { { "Accept", "text/event-stream" }, { "X-Client-Id", "client-a" } },
        })
        {
            var send = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            gate.Release(Seen);
            using var response = await send.WaitAsync(Timeout);
            streamId = response.Headers.GetValues("X-Stream-Id").Single();
            using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: true);
            for (var i = 0; i < Seen; i++)
            {
                seen.Add(EventReader.Data((await events.NextAsync())!).GetProperty("token").GetString()!);
            }
        }

        gate.Release(2);
        await using var socket = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress, "client-a");
        await socket.SendAsync($$"""{"type":"resume","id":"r","stream_id":"{{streamId}}","from":{{Seen}}}""");
        var start = (await socket.ReceiveAsync())!.Value;
        Assert.Equal("start", start.GetProperty("type").GetString());
        Assert.Equal(Seen, start.GetProperty("from").GetInt32());
        gate.Release(100);
        var rest = await socket.ReceiveUntilEndAsync("r");

        Assert.Equal(Enumerable.Range(Seen, Answer - Seen), rest.Where(m => m.GetProperty("type").GetString() == "token").Select(m => m.GetProperty("index").GetInt32()));
        Assert.Equal(expected, string.Concat(seen) + WebSocketClient.Text(rest));
        Assert.Equal("stop", rest[^1].GetProperty("finish_reason").GetString());
        Assert.Equal(streamId, rest[^1].GetProperty("stream_id").GetString());
    }

    [Fact]
    public async Task A_finished_stream_replays_from_any_index_over_NDJSON_and_the_hub_until_it_expires()
    {
        await using var gateway = await FakeGateway.StartAsync(new FakeGenerationEngine { AnswerLength = Answer });
        using var client = gateway.CreateClient();
        client.DefaultRequestHeaders.Add("X-Client-Id", "client-a");
        var chat = await Waits.PostChatAsync(client, new { message = "story", seed = 9, temperature = 0.8 });
        var streamId = chat.GetProperty("stream_id").GetString()!;
        var text = chat.GetProperty("message").GetProperty("content").GetString()!;

        using var response = await client.GetAsync($"/chat/streams/{streamId}?from=4", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType!.MediaType);
        using var lines = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: false);
        var replay = (await lines.RestAsync()).Select(EventReader.Data).ToList();
        Assert.Equal(Enumerable.Range(4, Answer - 4), replay.SkipLast(1).Select(l => l.GetProperty("index").GetInt32()));
        Assert.Equal(text[4..], string.Concat(replay.SkipLast(1).Select(l => l.GetProperty("token").GetString())));
        Assert.True(replay[^1].GetProperty("done").GetBoolean());

        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("ResumeStream", streamId, 7).GetAsyncEnumerator());
        Assert.Equal(text[7..], HubClient.Text(items));
        Assert.True(items[^1].Done);

        using var beyond = await client.GetAsync($"/chat/streams/{streamId}?from=99").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
    }

    [Fact]
    public async Task Another_identity_cannot_resume_or_cancel_a_stream_on_any_transport()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var owner = gateway.CreateClient();
        owner.DefaultRequestHeaders.Add("X-Client-Id", "owner");
        var streamId = (await Waits.PostChatAsync(owner, new { message = "mine" })).GetProperty("stream_id").GetString()!;

        using var stranger = gateway.CreateClient();
        stranger.DefaultRequestHeaders.Add("X-Client-Id", "stranger");
        using var resume = await stranger.GetAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Forbidden, resume.StatusCode);
        Assert.Equal("stream_id", JsonDocument.Parse(await resume.Content.ReadAsStringAsync()).RootElement.GetProperty("field").GetString());
        using var cancel = await stranger.DeleteAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Forbidden, cancel.StatusCode);

        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress, "stranger");
        var error = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("ResumeStream", streamId, 0).GetAsyncEnumerator()));
        Assert.Contains("forbidden (stream_id):", error.Message, StringComparison.Ordinal);

        await using var socket = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress, "stranger");
        await socket.SendAsync($$"""{"type":"resume","id":"r","stream_id":"{{streamId}}"}""");
        Assert.Equal("forbidden", (await socket.ReceiveAsync())!.Value.GetProperty("error").GetProperty("type").GetString());

        using var mine = await owner.GetAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        Assert.Equal(3, await gateway.Host.ReadMetricAsync("gateway_stream_resumes_total", "outcome", "forbidden"));
    }

    [Fact]
    public async Task Unknown_and_expired_stream_ids_are_404()
    {
        await using var gateway = await FakeGateway.StartAsync(settings: new Dictionary<string, string?> { ["Streams:RetentionSeconds"] = "0" });
        using var client = gateway.CreateClient();
        using var unknown = await client.GetAsync("/chat/streams/0123456789abcdef0123456789abcdef").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var streamId = (await Waits.PostChatAsync(client, new { message = "gone soon" })).GetProperty("stream_id").GetString()!;
        using var expired = await client.GetAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        using var cancelExpired = await client.DeleteAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.NotFound, cancelExpired.StatusCode);

        await using var hub = await HubClient.ConnectAsync(gateway.Host.BaseAddress);
        var error = await Assert.ThrowsAsync<HubException>(() => HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("ResumeStream", streamId, 0).GetAsyncEnumerator()));
        Assert.Contains("not_found (stream_id):", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_generation_whose_client_left_keeps_running_for_a_resume_and_DELETE_cancels_it()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        await using var gateway = await FakeGateway.StartAsync(engine, LongGrace);
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        using var client = gateway.CreateClient();

        string streamId;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/chat/stream") { Content = Waits.Json("""{"message":"go"}""") })
        {
            var send = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            gate.Release();
            using var response = await send.WaitAsync(Timeout);
            using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: false);
            streamId = EventReader.Data((await events.NextAsync())!).GetProperty("stream_id").GetString()!;
        }

        // Tokens made after the client left reach the resumed client: the generation was not cancelled.
        gate.Release(5);
        using var resumed = await client.GetAsync($"/chat/streams/{streamId}?from=1", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        using var lines = new EventReader(await resumed.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: false);
        for (var i = 1; i <= 5; i++)
        {
            Assert.Equal(i, EventReader.Data((await lines.NextAsync())!).GetProperty("index").GetInt32());
        }

        using var cancel = await client.DeleteAsync($"/chat/streams/{streamId}").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var done = EventReader.Data((await lines.NextAsync())!);
        Assert.Equal("cancelled", done.GetProperty("finish_reason").GetString());
        await Waits.ForAsync(() => engine.RunningSequences == 0);
    }

    private static async Task<string> ExpectedTextAsync(FakeGateway gateway)
    {
        using var client = gateway.CreateClient();
        var chat = await Waits.PostChatAsync(client, new { message = "story", seed = 9, temperature = 0.8 });
        return chat.GetProperty("message").GetProperty("content").GetString()!;
    }
}
