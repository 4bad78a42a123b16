using System.Net;
using System.Net.WebSockets;
using Chat.Gateway.Tests.Fakes;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>The raw WebSocket protocol with ClientWebSocket: multiplexing, cancel, ping, typed errors and close codes.</summary>
public sealed class WebSocketTests
{
    [Fact]
    public async Task Concurrent_generations_on_one_socket_stream_the_same_text_as_post_chat()
    {
        await using var gateway = await FakeGateway.StartAsync();
        gateway.Engine.AnswerLength = 20;
        gateway.Engine.TokenDelay = TimeSpan.FromMilliseconds(1);
        using var client = gateway.CreateClient();
        var expectedA = await Waits.PostChatAsync(client, new { message = "Tell me a story", temperature = 0.9, seed = 42, max_tokens = 12 });
        var expectedB = await Waits.PostChatAsync(client, new { messages = new[] { new { role = "user", content = "Another one" } }, seed = 3, temperature = 0.7 });

        await using var socket = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress);
        await socket.SendAsync("""{"type":"chat","id":"a","message":"Tell me a story","temperature":0.9,"seed":42,"max_tokens":12}""");
        await socket.SendAsync("""{"type":"chat","id":"b","messages":[{"role":"user","content":"Another one"}],"seed":3,"temperature":0.7}""");

        var others = new Dictionary<string, List<System.Text.Json.JsonElement>>();
        var a = await socket.ReceiveUntilEndAsync("a", others);
        var b = others.GetValueOrDefault("b", []);
        if (b.Count == 0 || b[^1].GetProperty("type").GetString() != "done")
        {
            b.AddRange(await socket.ReceiveUntilEndAsync("b"));
        }

        Assert.Equal(expectedA.GetProperty("message").GetProperty("content").GetString(), WebSocketClient.Text(a));
        Assert.Equal(expectedB.GetProperty("message").GetProperty("content").GetString(), WebSocketClient.Text(b));
        Assert.Equal("start", a[0].GetProperty("type").GetString());
        Assert.Equal(32, a[0].GetProperty("stream_id").GetString()!.Length);
        Assert.Equal(Enumerable.Range(0, 12), a.Where(m => m.GetProperty("type").GetString() == "token").Select(m => m.GetProperty("index").GetInt32()));
        var done = a[^1];
        Assert.Equal("length", done.GetProperty("finish_reason").GetString());
        Assert.Equal(12, done.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal("stop", b[^1].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task A_cancel_message_stops_the_generation_at_once_and_ping_gets_pong()
    {
        var engine = new FakeGenerationEngine { AnswerLength = 100_000 };
        await using var gateway = await FakeGateway.StartAsync(engine, new Dictionary<string, string?> { ["Streams:DisconnectGraceSeconds"] = "3600" });
        using var gate = new SemaphoreSlim(0);
        engine.TokenGate = gate;
        await using var socket = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress);

        await socket.SendAsync("""{"type":"chat","id":"c1","message":"go"}""");
        gate.Release(2);
        Assert.Equal("start", (await socket.ReceiveAsync())!.Value.GetProperty("type").GetString());
        Assert.Equal("token", (await socket.ReceiveAsync())!.Value.GetProperty("type").GetString());
        await socket.SendAsync("""{"type":"cancel","id":"c1"}""");
        var rest = await socket.ReceiveUntilEndAsync("c1");
        Assert.Equal("cancelled", rest[^1].GetProperty("finish_reason").GetString());
        await Waits.ForAsync(() => engine.RunningSequences == 0);

        await socket.SendAsync("""{"type":"ping","id":"p1"}""");
        var pong = (await socket.ReceiveAsync())!.Value;
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal("p1", pong.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Malformed_and_invalid_messages_get_typed_errors_and_the_socket_keeps_serving()
    {
        await using var gateway = await FakeGateway.StartAsync();
        await using var socket = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress);

        (string Message, string Type, string Field)[] cases =
        [
            ("{not json", "invalid_json", "body"),
            ("[1,2,3]", "invalid_json", "body"),
            ("""{"type":"bogus","id":"x"}""", "invalid_request", "type"),
            ("""{"type":42,"id":"x"}""", "invalid_json", "type"),
            ("""{"type":"chat","message":"hi"}""", "invalid_request", "id"),
            ("""{"type":"chat","id":"x","message":"hi","max_tokens":"many"}""", "invalid_request", "max_tokens"),
            ("""{"type":"chat","id":"x","message":"hi","max_tokens":0}""", "invalid_request", "max_tokens"),
            ("""{"type":"chat","id":"x","messages":[{"role":"robot","content":"hi"}]}""", "invalid_request", "messages[0].role"),
            ("""{"type":"resume","id":"x"}""", "invalid_request", "stream_id"),
            ("""{"type":"resume","id":"x","stream_id":"nope"}""", "not_found", "stream_id"),
            ("""{"type":"cancel","id":"nothing-running"}""", "not_found", "id"),
        ];
        foreach (var (message, type, field) in cases)
        {
            await socket.SendAsync(message);
            var reply = (await socket.ReceiveAsync())!.Value;
            Assert.True(reply.GetProperty("type").GetString() == "error", message);
            var error = reply.GetProperty("error");
            Assert.True(type == error.GetProperty("type").GetString(), $"{message}: {reply}");
            Assert.True(field == error.GetProperty("field").GetString(), $"{message}: {reply}");
        }

        await socket.SendAsync("""{"type":"chat","id":"ok","message":"still here"}""");
        var messages = await socket.ReceiveUntilEndAsync("ok");
        Assert.Equal("done", messages[^1].GetProperty("type").GetString());
    }

    [Theory]
    [InlineData("binary", WebSocketCloseStatus.InvalidMessageType)]
    [InlineData("too_big", WebSocketCloseStatus.MessageTooBig)]
    [InlineData("flood", WebSocketCloseStatus.PolicyViolation)]
    public async Task Protocol_violations_close_the_socket_with_their_code_and_the_server_keeps_serving_others(string abuse, WebSocketCloseStatus expected)
    {
        await using var gateway = await FakeGateway.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Realtime:MaxMessageBytes"] = "1024",
            ["Realtime:MessagesPerSecond"] = "1",
            ["Realtime:MessageBurst"] = "3",
        });
        await using var bystander = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress, "bystander");
        await using var abuser = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress, "abuser");

        switch (abuse)
        {
            case "binary":
                await abuser.SendBinaryAsync([1, 2, 3]);
                break;
            case "too_big":
                await abuser.SendAsync("""{"type":"chat","id":"x","message":" """ + new string('a', 4096) + "\"}");
                break;
            default:
                for (var i = 0; i < 50 && abuser.Socket.State == WebSocketState.Open; i++)
                {
                    await abuser.SendAsync($$"""{"type":"ping","id":"p{{i}}"}""");
                }

                break;
        }

        while (await abuser.ReceiveAsync() is not null)
        {
            // Pongs sent before the limit was crossed.
        }

        Assert.Equal(expected, abuser.Socket.CloseStatus);
        Assert.Equal(1, await gateway.Host.ReadMetricAsync("gateway_realtime_errors_total", "transport", "websocket"));

        await bystander.SendAsync("""{"type":"chat","id":"b","message":"hello"}""");
        Assert.Equal("done", (await bystander.ReceiveUntilEndAsync("b"))[^1].GetProperty("type").GetString());
        await using var newcomer = await WebSocketClient.ConnectAsync(gateway.Host.BaseAddress, "newcomer");
        await newcomer.SendAsync("""{"type":"ping","id":"n"}""");
        Assert.Equal("pong", (await newcomer.ReceiveAsync())!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_plain_http_request_to_the_socket_route_is_a_400_problem()
    {
        await using var gateway = await FakeGateway.StartAsync();
        using var client = gateway.CreateClient();
        using var response = await client.GetAsync("/ws/chat").WaitAsync(WebSocketClient.Timeout);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
