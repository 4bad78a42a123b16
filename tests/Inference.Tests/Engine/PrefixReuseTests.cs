using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport;
using Chat.TestSupport.Models;

namespace Chat.Inference.Tests.Engine;

/// <summary>A prompt that extends a finished sequence (a conversation's next turn) starts from that sequence's kept keys and values.</summary>
public sealed class PrefixReuseTests
{
    private static readonly int[] First = [.. "The quick brown fox jumps over the lazy dog."u8.ToArray().Select(b => (int)b)];
    private static readonly int[] Follow = [.. " And then?"u8.ToArray().Select(b => (int)b)];

    [Theory]
    [InlineData(DecoderGraphStyle.Standard)]
    [InlineData(DecoderGraphStyle.Contrib)]
    public async Task The_next_turn_prefills_only_its_new_tokens_and_generates_the_same_ids(DecoderGraphStyle graph)
    {
        var build = TestModels.Tiny(graph);
        await using var reusing = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1 });
        await using var fresh = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1, PrefixCacheEntries = 0 });
        using var meter = new MeterRecorder(reusing.Meter);

        var firstAnswer = Fixtures.TokenIds(await Fixtures.RunAsync(reusing, Greedy(First, 8)));
        Assert.Equal(firstAnswer, Fixtures.TokenIds(await Fixtures.RunAsync(fresh, Greedy(First, 8))));
        var before = reusing.Counters;

        // The kept row holds the prompt and every answer token but the last (never fed back).
        int[] second = [.. First, .. firstAnswer, .. Follow];
        var updates = await Fixtures.RunAsync(reusing, Greedy(second, 12));
        var after = reusing.Counters;

        var reused = First.Length + firstAnswer.Length - 1;
        Assert.Equal(reused, updates[^1].Usage!.CachedPromptTokens);
        Assert.Equal(second.Length, updates[^1].Usage!.PromptTokens);
        Assert.Equal(second.Length - reused, after.PrefillTokens - before.PrefillTokens);
        Assert.Equal(1, after.PrefixCacheHits - before.PrefixCacheHits);
        Assert.Equal(reused, after.PrefixCacheReusedTokens - before.PrefixCacheReusedTokens);
        Assert.Equal(1, meter.Sum("chat.engine.prefix_cache.hits"));
        Assert.Equal(reused, meter.Sum("chat.engine.prefix_cache.reused_tokens"));

        var expected = await Fixtures.RunAsync(fresh, Greedy(second, 12));
        Assert.Equal(Fixtures.TokenIds(expected), Fixtures.TokenIds(updates));
        Assert.Equal(0, expected[^1].Usage!.CachedPromptTokens);
        Assert.Equal(0, fresh.Counters.PrefixCacheHits);
        Assert.Equal(after.KvCachesCreated, after.KvCachesReleased);
    }

    [GenAiFixtureFact]
    public async Task The_gpt2_fixture_with_its_combined_kv_layout_continues_a_kept_prefix_to_the_same_ids()
    {
        await using var reusing = Fixtures.LoadEngine(Fixtures.Gpt2);
        await using var fresh = Fixtures.LoadEngine(Fixtures.Gpt2, options: new EngineOptions { IntraOpThreads = 1, PrefixCacheEntries = 0 });
        int[] first = [.. Enumerable.Range(0, 20).Select(i => (i * 37 % 900) + 100)];
        var answer = Fixtures.TokenIds(await Fixtures.RunAsync(reusing, Greedy(first, 6)));

        int[] second = [.. first, .. answer, 5, 17, 42];
        var updates = await Fixtures.RunAsync(reusing, Greedy(second, 10));

        Assert.Equal(first.Length + answer.Length - 1, updates[^1].Usage!.CachedPromptTokens);
        Assert.Equal(Fixtures.TokenIds(await Fixtures.RunAsync(fresh, Greedy(second, 10))), Fixtures.TokenIds(updates));
    }

    [Fact]
    public async Task Least_recently_used_prefixes_are_evicted_beyond_the_entry_bound()
    {
        var build = TestModels.Tiny(DecoderGraphStyle.Standard);
        await using var engine = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1, PrefixCacheEntries = 2 });
        int[][] prompts = [.. Enumerable.Range(0, 3).Select(i => First.Select(t => t == ' ' ? 'a' + i : t).ToArray())];
        foreach (var prompt in prompts)
        {
            await Fixtures.RunAsync(engine, Greedy(prompt, 1));
        }

        // Only the two latest are kept: the oldest prompt's extension prefills from scratch.
        var evicted = await Fixtures.RunAsync(engine, Greedy([.. prompts[0], .. Follow], 1));
        Assert.Equal(0, evicted[^1].Usage!.CachedPromptTokens);
        var kept = await Fixtures.RunAsync(engine, Greedy([.. prompts[2], .. Follow], 1));
        Assert.Equal(prompts[2].Length, kept[^1].Usage!.CachedPromptTokens);
        Assert.Equal(1, engine.Counters.PrefixCacheHits);
    }

    private static GenerationRequest Greedy(int[] prompt, int maxNewTokens) =>
        new() { PromptTokenIds = prompt, MaxNewTokens = maxNewTokens, IgnoreEos = true };
}
