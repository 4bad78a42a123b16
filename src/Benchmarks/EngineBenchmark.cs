using System.Diagnostics;
using System.Globalization;
using Chat.Inference.Engine;

namespace Chat.Benchmarks;

/// <summary>
/// <c>engine --model DIR [--prompt-tokens N] [--new-tokens N] [--runs R] [--threads T]</c>: batch-1
/// prefill and decode tokens/s of the full engine (scheduler, sampler, detokenizer, stream) next to
/// the bare ORT loop on the same model, the ratios, and managed bytes allocated per decoded token.
/// </summary>
internal static class EngineBenchmark
{
    public const string Usage = "usage: engine --model DIR [--prompt-tokens N] [--new-tokens N] [--runs R] [--threads T]";

    public static async Task<int> RunAsync(string[] args)
    {
        string? model = null;
        int promptTokens = 128, newTokens = 128, runs = 5, threads = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Length)
            {
                return Fail($"{flag} needs a value.");
            }

            var value = args[++i];
            switch (flag)
            {
                case "--model":
                    model = value;
                    break;
                case "--prompt-tokens" when int.TryParse(value, CultureInfo.InvariantCulture, out promptTokens) && promptTokens > 0:
                case "--new-tokens" when int.TryParse(value, CultureInfo.InvariantCulture, out newTokens) && newTokens > 1:
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out runs) && runs > 0:
                case "--threads" when int.TryParse(value, CultureInfo.InvariantCulture, out threads) && threads >= 0:
                    break;
                default:
                    return Fail($"bad flag or value: {flag} {value}");
            }
        }

        if (model is null)
        {
            return Fail("--model is required.");
        }

        await using var engine = DecoderEngine.Load(model, new EngineOptions { MaxBatchSize = 1, IntraOpThreads = threads });
        var eos = engine.Model.EosTokenIds.ToHashSet();
        var prompt = Enumerable.Range(0, promptTokens).Select(i => (i * 7919) % engine.Model.VocabSize).Select(id => eos.Contains(id) ? id + 1 : id).ToArray();
        if (prompt.Length + newTokens > engine.Model.ContextLength)
        {
            return Fail($"prompt + new tokens ({prompt.Length + newTokens}) exceed the context length {engine.Model.ContextLength}.");
        }

        using var bare = new BareOrtLoop(model, engine.SingleSequenceThreads);
        var engineRuns = new List<BenchmarkResult>();
        var bareRuns = new List<BenchmarkResult>();

        // Warm both once, then alternate so machine noise hits both sides alike.
        await RunEngineAsync(engine, prompt, newTokens);
        bare.Run(prompt, newTokens);
        for (var run = 0; run < runs; run++)
        {
            engineRuns.Add(await RunEngineAsync(engine, prompt, newTokens));
            bareRuns.Add(bare.Run(prompt, newTokens));
        }

        var e = BenchmarkResult.Median(engineRuns);
        var b = BenchmarkResult.Median(bareRuns);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model {engine.Model.Id} ({engine.Model.Type}), prompt {promptTokens} tokens, {newTokens} new tokens, batch 1, median of {runs} runs, {Environment.ProcessorCount} cores"));
        Console.WriteLine("| | prefill tok/s | decode tok/s | managed bytes / decode token |");
        Console.WriteLine("|---|---:|---:|---:|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| engine | {e.PrefillTokensPerSecond:0} | {e.DecodeTokensPerSecond:0.0} | {e.BytesPerDecodeToken:0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| bare ORT loop | {b.PrefillTokensPerSecond:0} | {b.DecodeTokensPerSecond:0.0} | {b.BytesPerDecodeToken:0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| engine / bare | {e.PrefillTokensPerSecond / b.PrefillTokensPerSecond:0.000} | {e.DecodeTokensPerSecond / b.DecodeTokensPerSecond:0.000} | |"));
        return 0;
    }

    private static async Task<BenchmarkResult> RunEngineAsync(IGenerationEngine engine, int[] prompt, int newTokens)
    {
        var request = new GenerationRequest { PromptTokenIds = prompt, MaxNewTokens = newTokens, IgnoreEos = true };
        long allocatedAtFirst = 0;
        GenerationUsage? usage = null;
        await foreach (var update in engine.GenerateAsync(request))
        {
            if (update.Index == 0 && !update.IsFinal)
            {
                allocatedAtFirst = GC.GetTotalAllocatedBytes(precise: true);
            }

            usage = update.Usage ?? usage;
        }

        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedAtFirst;
        Debug.Assert(usage is not null, "the final update carries usage");
        return new BenchmarkResult(
            // From admission: the bare loop has no queue, so the hand-off to the loop thread is left out.
            prompt.Length / (usage.TimeToFirstToken - usage.QueueTime).TotalSeconds,
            usage.TokensPerSecond,
            allocated / (double)(usage.CompletionTokens - 1));
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine(message);
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
