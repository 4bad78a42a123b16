using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using static Chat.Inference.Tests.Engine.BatchingTests;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// Admission, fairness and cancellation of the batching scheduler on the tiny builder model. The
/// fake tokenizer's gate holds the loop inside a token at a known point, so queue states are exact.
/// </summary>
public sealed class AdmissionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_full_queue_refuses_with_a_retry_after_and_the_engine_keeps_serving()
    {
        var tokenizer = new PairTokenizer(TinyVocab);
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 1, MaxQueue = 2, IntraOpThreads = 1 }, tokenizer);
        using var meter = new MeterRecorder(engine.Meter);
        await Fixtures.RunAsync(engine, Request(9, 5, 8));

        tokenizer.Gate = new SemaphoreSlim(0);
        var running = Fixtures.RunAsync(engine, Request(0, 5, 4));
        await WaitUntilAsync(() => engine.RunningSequences == 1);
        var waiting = new[] { Fixtures.RunAsync(engine, Request(1, 5, 4)), Fixtures.RunAsync(engine, Request(2, 5, 4)) };
        Assert.Equal(2, engine.WaitingSequences);

        var refused = Assert.Throws<EngineOverloadedException>(() => engine.GenerateAsync(Request(3, 5, 4)));
        Assert.Equal("queue_full", refused.Reason);
        Assert.True(refused.RetryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {refused.RetryAfter}");
        Assert.Equal(1, engine.Counters.RejectedSequences);
        Assert.Equal(1, meter.Sum("chat.engine.admission.rejections", "queue_full"));
        Assert.Equal(2, meter.Observe("chat.engine.waiting_sequences"));
        Assert.Equal(1, meter.Observe("chat.engine.running_sequences"));

        tokenizer.Gate.Release(10_000);
        Assert.Equal(FinishReason.Length, (await running)[^1].FinishReason);
        foreach (var run in waiting)
        {
            var final = (await run)[^1];
            Assert.Equal(FinishReason.Length, final.FinishReason);
            Assert.True(final.Usage!.QueueTime > TimeSpan.Zero);
        }

        Assert.Equal(4, Fixtures.TokenIds(await Fixtures.RunAsync(engine, Request(3, 5, 4))).Length);
        Assert.Equal(5, meter.Values("chat.engine.queue.duration").Length);
        Assert.NotEmpty(meter.Values("chat.engine.step.duration"));
    }

    [Fact]
    public async Task A_request_cancelled_before_it_is_submitted_ends_at_once_and_never_waits()
    {
        var tokenizer = new PairTokenizer(TinyVocab) { Gate = new SemaphoreSlim(0) };
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 1, MaxQueue = 1, IntraOpThreads = 1 }, tokenizer);
        var running = Fixtures.RunAsync(engine, Request(0, 5, 3));
        await WaitUntilAsync(() => engine.RunningSequences == 1);

        var cancelled = await Fixtures.RunAsync(engine, Request(1, 5, 3), new CancellationToken(canceled: true));

        Assert.Equal(FinishReason.Cancelled, cancelled.Single().FinishReason);
        Assert.Equal(0, engine.WaitingSequences);
        var waiting = Fixtures.RunAsync(engine, Request(2, 5, 3));
        Assert.Equal(1, engine.WaitingSequences);
        tokenizer.Gate.Release(10_000);
        Assert.Equal(3, Fixtures.TokenIds(await waiting).Length);
        Assert.Equal(3, Fixtures.TokenIds(await running).Length);
        Assert.Equal((1L, 0L), (engine.Counters.CancelledSequences, engine.Counters.LiveKvCaches));
    }

    [Fact]
    public async Task A_client_with_twenty_queued_requests_does_not_delay_another_clients_single_request()
    {
        var tokenizer = new PairTokenizer(TinyVocab) { Gate = new SemaphoreSlim(0) };
        var recorder = new StepRecorder();
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 2, MaxQueue = 64, IntraOpThreads = 1, Trace = recorder }, tokenizer);
        var blocker = Request(50, 5, 3, clientId: "10.0.0.3");
        var burst = Enumerable.Range(0, 20).Select(i => Request(i, 5, 3, clientId: "10.0.0.1")).ToArray();
        var single = Request(99, 5, 3, clientId: "10.0.0.2");

        // The blocker holds the loop inside its first token, so the burst and then the single request
        // all wait before any of them is admitted.
        var runs = new List<Task<List<GenerationUpdate>>> { Fixtures.RunAsync(engine, blocker) };
        await WaitUntilAsync(() => engine.RunningSequences == 1);
        runs.AddRange(burst.Select(r => Fixtures.RunAsync(engine, r)));
        runs.Add(Fixtures.RunAsync(engine, single));
        Assert.Equal(21, engine.WaitingSequences);
        tokenizer.Gate.Release(10_000);
        await Task.WhenAll(runs).WaitAsync(Timeout);

        // One slot was free: the burst, waiting first, took it; the next free slot went to the other client.
        Assert.Equal(1, recorder.AdmissionIndex(burst[0]));
        Assert.Equal(2, recorder.AdmissionIndex(single));
        Assert.True(recorder.AdmittedAt(single) < recorder.AdmittedAt(burst[1]));
        Assert.True(recorder.TokenSteps(single)[^1] < recorder.TokenSteps(burst[^1])[0]);
    }

    [Fact]
    public async Task Cancelling_between_prefill_chunks_stops_the_prefill_and_frees_its_kv()
    {
        var recorder = new StepRecorder();
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 4, PrefillChunkTokens = 16, IntraOpThreads = 1, Trace = recorder });
        using var meter = new MeterRecorder(engine.Meter);
        var companion = Request(0, 6, 60);
        var longPrompt = Request(1, 200, 5);
        using var cancel = new CancellationTokenSource();
        Task<List<GenerationUpdate>>? longRun = null;
        recorder.OnToken = (request, index, step) =>
        {
            if (!ReferenceEquals(request, companion))
            {
                return;
            }

            // From the loop thread: the long prompt arrives at a known step, and the cancel comes
            // after its third chunk, so the next step drops it between chunks.
            if (index == 2)
            {
                longRun = Fixtures.RunAsync(engine, longPrompt, cancel.Token);
            }
            else if (recorder.WasAdmitted(longPrompt) && step == recorder.AdmittedAt(longPrompt) + 2)
            {
                cancel.Cancel();
            }
        };

        var finished = await Fixtures.RunAsync(engine, companion);
        var cancelled = await longRun!;

        Assert.Equal(FinishReason.Cancelled, cancelled[^1].FinishReason);
        Assert.Equal(0, cancelled[^1].Usage!.CompletionTokens);
        Assert.Equal(companion.PromptTokenIds.Count + (3 * 16), engine.Counters.PrefillTokens);
        Assert.Equal(60, Fixtures.TokenIds(finished).Length);
        Assert.Equal(1, recorder.LongestGap(companion));
        Assert.Equal((1, 0L, 0), (engine.Counters.CancelledSequences, engine.Counters.LiveKvCaches, engine.RunningSequences));
        Assert.Equal(0, meter.Sum("chat.engine.wasted_tokens"));
    }

    [Fact]
    public async Task Cancelling_rows_of_a_running_batch_frees_them_and_the_others_decode_on_unchanged()
    {
        var requests = Enumerable.Range(0, 4).Select(i => Request(i, 5 + (3 * i), 40)).ToArray();
        var alone = new List<int[]>();
        await using (var single = LoadTiny(new EngineOptions { MaxBatchSize = 1, IntraOpThreads = 1 }))
        {
            foreach (var request in requests)
            {
                alone.Add(Fixtures.TokenIds(await Fixtures.RunAsync(single, request)));
            }
        }

        var recorder = new StepRecorder();
        await using var engine = LoadTiny(new EngineOptions { MaxBatchSize = 4, IntraOpThreads = 1, Trace = recorder });
        using var meter = new MeterRecorder(engine.Meter);
        var cancels = requests.Select(_ => new CancellationTokenSource()).ToArray();
        recorder.OnToken = (request, index, _) =>
        {
            if (ReferenceEquals(request, requests[0]) && index == 10)
            {
                cancels[0].Cancel();
                cancels[2].Cancel();
            }
        };

        var runs = requests.Select((r, i) => Fixtures.RunAsync(engine, r, cancels[i].Token)).ToArray();
        var results = await Task.WhenAll(runs).WaitAsync(Timeout);

        foreach (var i in new[] { 0, 2 })
        {
            Assert.Equal(FinishReason.Cancelled, results[i][^1].FinishReason);
            var ids = Fixtures.TokenIds(results[i]);
            Assert.InRange(ids.Length, i == 0 ? 11 : 0, i == 0 ? 11 : 39);
            Assert.Equal(alone[i][..ids.Length], ids);
        }

        Assert.Equal(alone[1], Fixtures.TokenIds(results[1]));
        Assert.Equal(alone[3], Fixtures.TokenIds(results[3]));
        var counters = engine.Counters;
        var wasted = results[0][^1].Usage!.CompletionTokens + results[2][^1].Usage!.CompletionTokens;
        Assert.Equal((2, wasted, 0L), (counters.CancelledSequences, counters.CancelledTokens, counters.LiveKvCaches));
        Assert.Equal(wasted, meter.Sum("chat.engine.wasted_tokens"));
        Assert.Equal(0, engine.RunningSequences);

        foreach (var cancel in cancels)
        {
            cancel.Dispose();
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }
}
