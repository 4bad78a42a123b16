using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Engine;

/// <summary>The scheduler on the gpt2 fixture, with the two-letter fake tokenizer where text matters.</summary>
public sealed class SchedulerTests
{
    private static readonly int[] Prompt = [5, 17, 42, 8];

    [GenAiFixtureFact]
    public async Task Stop_string_split_across_tokens_stops_and_never_leaks()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        var free = Fixtures.TokenIds(await Fixtures.RunAsync(engine, Greedy(12)));

        // The stop string is the last letter of token 3 and the first letter of token 4.
        var stop = PairTokenizer.TextOf(free[3])[1..] + PairTokenizer.TextOf(free[4])[..1];
        var fullText = string.Concat(free.Select(PairTokenizer.TextOf));
        var stopAt = fullText.IndexOf(stop, StringComparison.Ordinal);
        var updates = await Fixtures.RunAsync(engine, Greedy(12) with { StopSequences = [stop] });

        var text = string.Concat(updates.Select(u => u.Text));
        Assert.Equal(fullText[..stopAt], text);
        Assert.DoesNotContain(stop, text, StringComparison.Ordinal);
        Assert.Equal(FinishReason.Stop, updates[^1].FinishReason);
        Assert.True(updates[^1].Usage!.CompletionTokens <= 5);
        Assert.Equal(free[..updates[^1].Usage!.CompletionTokens], Fixtures.TokenIds(updates));
    }

    [GenAiFixtureFact]
    public async Task Eos_stops_unless_ignored()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        var free = Fixtures.TokenIds(await Fixtures.RunAsync(engine, Greedy(20)));
        // Make the first greedy token that did not occur before it an end-of-sequence token.
        var k = Enumerable.Range(1, free.Length - 1).First(i => !free[..i].Contains(free[i]));
        var eosEngineFolder = CopyWithEos(Fixtures.Gpt2, free[k]);
        try
        {
            await using var eosEngine = Fixtures.LoadEngine(eosEngineFolder);
            var stopped = await Fixtures.RunAsync(eosEngine, Greedy(20));
            var ignored = await Fixtures.RunAsync(eosEngine, Greedy(20) with { IgnoreEos = true });

            Assert.Equal(free[..(k + 1)], Fixtures.TokenIds(stopped));
            Assert.Equal(FinishReason.Stop, stopped[^1].FinishReason);
            Assert.Equal(free, Fixtures.TokenIds(ignored));
            Assert.Equal(FinishReason.Length, ignored[^1].FinishReason);
        }
        finally
        {
            Directory.Delete(eosEngineFolder, recursive: true);
        }
    }

    [GenAiFixtureFact]
    public async Task Seeded_sampling_is_reproducible_and_seeds_differ()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        var request = Greedy(24) with { Sampling = new SamplingSettings { Temperature = 1.5f, TopK = 200, Seed = 1234 } };

        var first = Fixtures.TokenIds(await Fixtures.RunAsync(engine, request));
        var again = Fixtures.TokenIds(await Fixtures.RunAsync(engine, request));
        var other = Fixtures.TokenIds(await Fixtures.RunAsync(engine, request with { Sampling = request.Sampling with { Seed = 4321 } }));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [GenAiFixtureFact]
    public async Task Cancelling_mid_generation_ends_the_stream_and_frees_the_kv_cache()
    {
        var tokenizer = new PairTokenizer(1000) { Gate = new SemaphoreSlim(0) };
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, tokenizer);
        using var cts = new CancellationTokenSource();
        var updates = new List<GenerationUpdate>();

        await using var stream = engine.GenerateAsync(Greedy(400), cts.Token).GetAsyncEnumerator();
        tokenizer.Gate.Release(3);
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
            updates.Add(stream.Current);
        }

        Assert.Equal(1, engine.RunningSequences);
        await cts.CancelAsync();
        tokenizer.Gate.Release(1000);
        while (await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
        {
            updates.Add(stream.Current);
        }

        var final = updates[^1];
        Assert.Equal(FinishReason.Cancelled, final.FinishReason);
        Assert.InRange(final.Usage!.CompletionTokens, 3, 4);
        Assert.Equal(0, engine.RunningSequences);
        var counters = engine.Counters;
        Assert.Equal(1, counters.CancelledSequences);
        Assert.Equal(final.Usage.CompletionTokens, counters.CancelledTokens);
        Assert.Equal(1, counters.KvCachesReleased);
        Assert.Equal(0, counters.LiveKvCaches);
    }

    [GenAiFixtureFact]
    public async Task A_reader_that_stops_early_cancels_its_sequence()
    {
        var tokenizer = new PairTokenizer(1000) { Gate = new SemaphoreSlim(2) };
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, tokenizer);

        await foreach (var update in engine.GenerateAsync(Greedy(400)))
        {
            break;
        }

        tokenizer.Gate.Release(1000);
        await WaitUntilAsync(() => engine.Counters.LiveKvCaches == 0 && engine.RunningSequences == 0);
        Assert.Equal(1, engine.Counters.CancelledSequences);
    }

    [GenAiFixtureFact]
    public async Task Many_concurrent_callers_all_complete_with_their_own_tokens()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, options: new EngineOptions { MaxBatchSize = 4, IntraOpThreads = 1 });
        var prompts = Enumerable.Range(0, 10).Select(i => new[] { 3 + i, 50 + (7 * i), 400 - i }).ToArray();
        var alone = new List<int[]>();
        foreach (var prompt in prompts)
        {
            alone.Add(Fixtures.TokenIds(await Fixtures.RunAsync(engine, Greedy(15) with { PromptTokenIds = prompt })));
        }

        var together = await Task.WhenAll(prompts.Select(prompt => Task.Run(() => Fixtures.RunAsync(engine, Greedy(15) with { PromptTokenIds = prompt }))))
            .WaitAsync(TimeSpan.FromSeconds(60));

        for (var i = 0; i < prompts.Length; i++)
        {
            Assert.Equal(alone[i], Fixtures.TokenIds(together[i]));
            Assert.Equal(FinishReason.Length, together[i][^1].FinishReason);
        }

        Assert.Equal(0, engine.RunningSequences);
        Assert.Equal(0, engine.WaitingSequences);
        Assert.Equal(0, engine.Counters.LiveKvCaches);
    }

    [GenAiFixtureFact]
    public async Task A_full_queue_refuses_with_retry_after()
    {
        var tokenizer = new PairTokenizer(1000) { Gate = new SemaphoreSlim(0) };
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, tokenizer, new EngineOptions { MaxBatchSize = 1, MaxQueue = 1, IntraOpThreads = 1 });

        // The first sequence runs and holds the loop inside its first token; the second waits.
        var running = Fixtures.RunAsync(engine, Greedy(3));
        await WaitUntilAsync(() => engine.RunningSequences == 1);
        var waiting = Fixtures.RunAsync(engine, Greedy(3));
        Assert.Equal(1, engine.WaitingSequences);

        var refused = Assert.Throws<EngineOverloadedException>(() => engine.GenerateAsync(Greedy(3)));
        Assert.Equal("queue_full", refused.Reason);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1));
        Assert.Equal(1, engine.Counters.RejectedSequences);

        tokenizer.Gate.Release(1000);
        Assert.Equal(FinishReason.Length, (await running)[^1].FinishReason);
        Assert.Equal(FinishReason.Length, (await waiting)[^1].FinishReason);
    }

    [GenAiFixtureFact]
    public async Task A_fault_in_one_sequence_reaches_its_reader_and_the_loop_carries_on()
    {
        var tokenizer = new PairTokenizer(1000);
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, tokenizer);
        var free = Fixtures.TokenIds(await Fixtures.RunAsync(engine, Greedy(5)));

        tokenizer.FailOn = free[2];
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Fixtures.RunAsync(engine, Greedy(5)));
        tokenizer.FailOn = null;

        Assert.Equal($"cannot decode {free[2]}", error.Message);
        Assert.Equal(free, Fixtures.TokenIds(await Fixtures.RunAsync(engine, Greedy(5))));
        Assert.Equal(0, engine.Counters.LiveKvCaches);
    }

    private static GenerationRequest Greedy(int maxNewTokens) =>
        new() { PromptTokenIds = Prompt, MaxNewTokens = maxNewTokens, IgnoreEos = false };

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    private static string CopyWithEos(string folder, int eos)
    {
        var copy = Directory.CreateTempSubdirectory("gpt2-eos-").FullName;
        foreach (var file in Directory.GetFiles(folder))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var configPath = Path.Combine(copy, "genai_config.json");
        File.SetAttributes(configPath, FileAttributes.Normal);
        File.WriteAllText(configPath, File.ReadAllText(configPath).Replace("\"eos_token_id\": 98", $"\"eos_token_id\": [{eos}, 999]", StringComparison.Ordinal));
        return copy;
    }
}
