using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport;
using Chat.TestSupport.Models;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// Continuous batching on builder models (both graph styles, 4 heads over 2 KV heads) and on the
/// reference fixtures (gpt2's combined fp32 KV, llama's fp16 KV): exact greedy ids under staggered
/// joins and leaves, chunked prefill that keeps running streams going, and real batching.
/// Everything is counted in scheduler steps, never in time.
/// </summary>
public sealed class BatchingTests
{
    private const int Chunk = 16;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(DecoderGraphStyle.Standard)]
    [InlineData(DecoderGraphStyle.Contrib)]
    public Task Staggered_requests_in_one_batch_give_the_greedy_ids_each_gives_alone(DecoderGraphStyle graph) =>
        AssertBatchedEqualsAloneAsync(options => DecoderEngine.Load(TestModels.Tiny(graph).Directory, options));

    [GenAiFixtureFact]
    public async Task Staggered_requests_on_both_reference_fixtures_give_the_greedy_ids_each_gives_alone()
    {
        await AssertBatchedEqualsAloneAsync(options => Fixtures.LoadEngine(Fixtures.Gpt2, options: options));
        await AssertBatchedEqualsAloneAsync(options => Fixtures.LoadEngine(Fixtures.Llama, options: options));
    }

    [Fact]
    public async Task A_long_prefill_arriving_mid_stream_never_costs_a_running_stream_a_step()
    {
        var recorder = new StepRecorder();
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 4, PrefillChunkTokens = Chunk, IntraOpThreads = 1, Trace = recorder });
        var running = new[] { Request(0, 6, 80), Request(1, 9, 80) };
        var longPrompt = Request(2, 200, 5);
        Task<List<GenerationUpdate>>? longRun = null;

        // Submitted from the loop thread at a known step, so the arrival does not depend on thread timing.
        recorder.OnToken = (_, _, _) =>
        {
            if (longRun is null && running.All(r => recorder.TokenSteps(r).Length >= 5))
            {
                longRun = Fixtures.RunAsync(engine, longPrompt);
            }
        };

        var streams = running.Select(r => Fixtures.RunAsync(engine, r)).ToList();
        await Task.WhenAll(streams).WaitAsync(Timeout);
        var longUpdates = await longRun!;

        var admitted = recorder.AdmittedAt(longPrompt);
        var firstToken = recorder.TokenSteps(longPrompt)[0];
        Assert.Equal(200 / Chunk, firstToken - admitted);
        Assert.Equal(5, Fixtures.TokenIds(longUpdates).Length);
        foreach (var request in running)
        {
            var steps = recorder.TokenSteps(request);
            Assert.Equal(1, recorder.LongestGap(request));
            Assert.Equal(firstToken - admitted + 1, steps.Count(s => s >= admitted && s <= firstToken));
        }
    }

    [Fact]
    public async Task Eight_concurrent_sequences_share_each_decode_call()
    {
        var tokenizer = new PairTokenizer(TinyVocab) { Gate = new SemaphoreSlim(0) };
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 8, IntraOpThreads = 1 }, tokenizer);
        using var meter = new MeterRecorder(engine.Meter);
        var requests = Enumerable.Range(0, 8).Select(i => Request(i, 4 + i, 32)).ToArray();

        // The loop holds inside the first sequence's first token until all eight are queued.
        var runs = requests.Select(r => Fixtures.RunAsync(engine, r)).ToArray();
        tokenizer.Gate.Release(10_000);
        var results = await Task.WhenAll(runs).WaitAsync(Timeout);

        var counters = engine.Counters;
        var generated = results.Sum(r => Fixtures.TokenIds(r).Length);
        Assert.Equal(8 * 32, generated);
        Assert.True(counters.ModelCalls * 4 < generated, $"{counters.ModelCalls} model calls for {generated} tokens");
        Assert.Equal(8, meter.Values("chat.engine.batch_size").Max());
        Assert.Equal(counters.DecodeTokens, meter.Sum("chat.engine.decode_tokens"));
        Assert.Equal(counters.ModelCalls, meter.Sum("chat.engine.model_calls"));
        Assert.Equal(0, counters.LiveKvCaches);
    }

    internal const int TinyVocab = 259;

    internal static DecoderEngine LoadTiny(EngineOptions options, PairTokenizer? tokenizer = null)
    {
        var folder = TestModels.Tiny(DecoderGraphStyle.Standard).Directory;
        return tokenizer is null
            ? DecoderEngine.Load(folder, options)
            : DecoderEngine.Load(folder, options, tokenizer, new PlainChatTemplate());
    }

    /// <summary>A prompt of <paramref name="length"/> ids below 256 (valid in every model here), distinct per <paramref name="seed"/>.</summary>
    internal static GenerationRequest Request(int seed, int length, int maxNewTokens, string clientId = "") => new()
    {
        PromptTokenIds = [.. Enumerable.Range(0, length).Select(j => 3 + (((seed * 37) + (j * 11)) % 250))],
        MaxNewTokens = maxNewTokens,
        IgnoreEos = true,
        ClientId = clientId,
    };

    /// <summary>
    /// Six requests whose prompts (3 to 70 tokens, two of them chunked) and lengths (6 to 40 tokens)
    /// make rows join a batch both shorter and longer than it, leave it in the middle, and wait in
    /// the queue for a slot; request k arrives when request 0 has produced 2k tokens.
    /// </summary>
    private static async Task AssertBatchedEqualsAloneAsync(Func<EngineOptions, DecoderEngine> load)
    {
        int[] lengths = [5, 40, 12, 70, 3, 25];
        int[] newTokens = [40, 8, 20, 6, 25, 12];
        var requests = lengths.Select((length, i) => Request(i, length, newTokens[i])).ToArray();

        var alone = new List<int[]>();
        await using (var single = load(new EngineOptions { MaxBatchSize = 1, PrefillChunkTokens = Chunk, IntraOpThreads = 1 }))
        {
            foreach (var request in requests)
            {
                alone.Add(Fixtures.TokenIds(await Fixtures.RunAsync(single, request)));
            }
        }

        var recorder = new StepRecorder();
        await using var engine = load(new EngineOptions { MaxBatchSize = 4, PrefillChunkTokens = Chunk, IntraOpThreads = 1, Trace = recorder });
        var runs = new Task<List<GenerationUpdate>>[requests.Length];
        recorder.OnToken = (request, index, _) =>
        {
            // Arrivals are submitted from the loop thread, so they land at known steps.
            if (ReferenceEquals(request, requests[0]) && index % 2 == 0 && index > 0 && index / 2 < requests.Length)
            {
                runs[index / 2] = Fixtures.RunAsync(engine, requests[index / 2]);
            }
        };

        runs[0] = Fixtures.RunAsync(engine, requests[0]);
        await runs[0];
        var batched = await Task.WhenAll(runs).WaitAsync(Timeout);

        for (var i = 0; i < requests.Length; i++)
        {
            Assert.Equal(alone[i], Fixtures.TokenIds(batched[i]));
        }

        var counters = engine.Counters;
        Assert.True(counters.DecodeTokens > counters.ModelCalls, "some decode steps ran more than one sequence");
        Assert.Equal(0, counters.LiveKvCaches);
        Assert.Equal(0, engine.RunningSequences);
    }
}
