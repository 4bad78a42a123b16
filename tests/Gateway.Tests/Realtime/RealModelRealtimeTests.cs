using Chat.Gateway.Contracts;
using Chat.Gateway.Tests.RealModel;
using Chat.Inference.Engine;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport.Models;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>The hub and the WebSocket on a builder-made model served by the real engine.</summary>
public sealed class RealModelRealtimeTests
{
    [Fact]
    public async Task SignalR_and_WebSocket_stream_the_same_text_as_post_chat_and_a_cancel_frees_the_engine()
    {
        // A long context so that the generations cancelled below cannot finish on their own first.
        await using var host = await RealModelGateway.StartAsync(TestModels.Build(DecoderPresets.Tiny with { Context = 4096 }).Directory);
        using var client = host.CreateClient();
        var chat = await Waits.PostChatAsync(client, new { message = "Hello there", max_tokens = 24, temperature = 0.9, seed = 5, ignore_eos = true });
        var expected = chat.GetProperty("message").GetProperty("content").GetString()!;

        await using var hub = await HubClient.ConnectAsync(host.BaseAddress);
        var request = new ChatRequest { Message = "Hello there", MaxTokens = 24, Temperature = 0.9f, Seed = 5, IgnoreEos = true };
        var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>("StreamChat", request).GetAsyncEnumerator());
        Assert.Equal(expected, HubClient.Text(items));
        Assert.Equal(24, items[^1].Usage!.CompletionTokens);

        await using var socket = await WebSocketClient.ConnectAsync(host.BaseAddress);
        await socket.SendAsync("""{"type":"chat","id":"w","message":"Hello there","max_tokens":24,"temperature":0.9,"seed":5,"ignore_eos":true}""");
        var messages = await socket.ReceiveUntilEndAsync("w");
        Assert.Equal(expected, WebSocketClient.Text(messages));
        Assert.Equal("length", messages[^1].GetProperty("finish_reason").GetString());

        // A long generation stopped from the client: the hub stream disposed, and a WebSocket cancel.
        var engine = (DecoderEngine)RealModelGateway.Engine(host);
        using (var cancel = new CancellationTokenSource())
        {
            var longRequest = new ChatRequest { Message = "go", MaxTokens = 4000, IgnoreEos = true };
            var stream = hub.StreamAsync<ChatStreamItem>("StreamChat", longRequest, cancel.Token).GetAsyncEnumerator(cancel.Token);
            Assert.Single(await HubClient.ReadAsync(stream, 1));
            await cancel.CancelAsync();
        }

        await socket.SendAsync("""{"type":"chat","id":"long","message":"go","max_tokens":4000,"ignore_eos":true}""");
        Assert.Equal("start", (await socket.ReceiveAsync())!.Value.GetProperty("type").GetString());
        await socket.SendAsync("""{"type":"cancel","id":"long"}""");
        Assert.Equal("cancelled", (await socket.ReceiveUntilEndAsync("long"))[^1].GetProperty("finish_reason").GetString());

        await RealModelGateway.WaitForAsync(() => engine.RunningSequences == 0 && engine.WaitingSequences == 0);
        var counters = engine.Counters;
        Assert.Equal(counters.KvCachesCreated, counters.KvCachesReleased);
        Assert.True(counters.CancelledSequences >= 2, $"cancelled {counters.CancelledSequences}");
    }
}
