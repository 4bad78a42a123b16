using Chat.Gateway.Contracts;
using Chat.Gateway.Tests.RealModel;
using Chat.Inference.Engine;
using Chat.TestSupport.Hosting;
using Chat.TestSupport.Models;
using Microsoft.AspNetCore.SignalR.Client;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>A hub conversation on the real engine: each turn's prompt extends the previous one, so the engine reuses its kept KV.</summary>
public sealed class ConversationPrefixReuseTests
{
    private static readonly string[] Messages = ["Hello there, how are you?", "Tell me more", "And then?"];

    [Fact]
    public async Task The_second_and_third_turns_reuse_the_kept_prefix_and_answer_as_without_reuse()
    {
        var model = TestModels.Tiny().Directory;
        List<Turn> reused;
        await using (var host = await RealModelGateway.StartAsync(model))
        {
            reused = await ConverseAsync(host);
        }

        List<Turn> fresh;
        await using (var host = await RealModelGateway.StartAsync(model, settings: new Dictionary<string, string?> { ["ChatModel:PrefixCacheEntries"] = "0" }))
        {
            fresh = await ConverseAsync(host);
        }

        Assert.Equal(fresh.Select(t => t.Answer), reused.Select(t => t.Answer));
        Assert.All(fresh, t => Assert.Equal(0, t.Hits));
        Assert.All(fresh, t => Assert.Equal(0, t.Usage.CachedPromptTokens));
        Assert.Equal(0, reused[0].Hits);
        for (var turn = 1; turn < 3; turn++)
        {
            // The turn's prompt starts with the previous prompt (and answer), whose KV the engine kept.
            Assert.Equal(1, reused[turn].Hits);
            Assert.True(reused[turn].Usage.CachedPromptTokens >= reused[turn - 1].Usage.PromptTokens, $"turn {turn + 1}: {reused[turn].Usage}");
            Assert.Equal(reused[turn].Usage.CachedPromptTokens, reused[turn].Reused);
            Assert.Equal(reused[turn].Usage.PromptTokens - reused[turn].Reused, reused[turn].Prefilled);
            Assert.Equal(fresh[turn].Usage.PromptTokens, fresh[turn].Prefilled);
            Assert.Equal(fresh[turn].Usage.PromptTokens, reused[turn].Usage.PromptTokens);
        }
    }

    /// <summary>Three greedy turns; per turn the answer, the final usage and the engine counters' deltas.</summary>
    private static async Task<List<Turn>> ConverseAsync(GatewayTestHost host)
    {
        var engine = (DecoderEngine)RealModelGateway.Engine(host);
        await using var hub = await HubClient.ConnectAsync(host.BaseAddress);
        var conversation = await hub.InvokeAsync<string>("StartConversation").WaitAsync(HubClient.Timeout);
        var turns = new List<Turn>();
        foreach (var message in Messages)
        {
            var before = engine.Counters;
            var items = await HubClient.ReadAsync(hub.StreamAsync<ChatStreamItem>(
                "SendMessage", conversation, message, new ConversationMessageOptions { Temperature = 0, MaxTokens = 12 }).GetAsyncEnumerator());
            await RealModelGateway.WaitForAsync(() => engine.RunningSequences == 0);
            var after = engine.Counters;
            turns.Add(new Turn(
                HubClient.Text(items),
                items[^1].Usage!,
                after.PrefixCacheHits - before.PrefixCacheHits,
                after.PrefixCacheReusedTokens - before.PrefixCacheReusedTokens,
                after.PrefillTokens - before.PrefillTokens));
        }

        return turns;
    }

    private sealed record Turn(string Answer, UsageDto Usage, long Hits, long Reused, long Prefilled);
}
