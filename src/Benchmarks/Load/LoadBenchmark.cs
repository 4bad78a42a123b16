using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Chat.Inference.Engine;

namespace Chat.Benchmarks.Load;

/// <summary>
/// <c>load</c>: N concurrent fixed-length streams (N = 1, 2, 4, 8, 16, 32 by default) against an
/// OpenAI-compatible server (<c>--url http://host:port/v1</c>), our native NDJSON transport
/// (<c>--native http://host:port</c>) and/or the in-process engine plus the bare ORT loop on a model
/// folder (<c>--model DIR</c>); prints TTFT and inter-token percentiles and per-stream and aggregate
/// tokens/s, and with <c>--out DIR</c> writes load.md and load.png there.
/// </summary>
internal static class LoadBenchmark
{
    public const string Usage =
        "usage: load [--model DIR] [--url OPENAI_BASE_URL [--api completions|chat] [--model-name NAME]] [--native BASE_URL]\n" +
        "            [--concurrency 1,2,4,8,16,32] [--prompt TEXT] [--max-tokens N] [--runs R] [--threads T] [--single-threads -1|0|T] [--batch B] [--out DIR]";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = new LoadOptions();
        if (options.Parse(args) is { } error)
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var loadBefore = LoadAverage();
        var targets = new List<IStreamTarget>();
        BareLoopFigure? bare = null;
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (options.Model is { } folder)
        {
            await using var engine = DecoderEngine.Load(folder, new EngineOptions { MaxBatchSize = options.Batch, IntraOpThreads = options.Threads, SingleSequenceThreads = options.SingleThreads });
            var prompt = engine.Tokenizer.Encode(options.Prompt);
            if (prompt.Length + options.MaxTokens > engine.Model.ContextLength)
            {
                Console.Error.WriteLine($"prompt ({prompt.Length} tokens) + max tokens ({options.MaxTokens}) exceed the context length {engine.Model.ContextLength}.");
                return 2;
            }

            // The bare loop runs with the threads that serve the engine's lone stream.
            using (var loop = new BareOrtLoop(folder, engine.SingleSequenceThreads))
            {
                loop.Run(prompt, options.MaxTokens);
                var runs = Enumerable.Range(0, options.Runs).Select(_ => loop.Run(prompt, options.MaxTokens)).ToList();
                bare = new BareLoopFigure(BenchmarkResult.Median(runs).DecodeTokensPerSecond);
            }

            Console.WriteLine(Invariant(
                $"model {engine.Model.Id}: prompt {prompt.Length} tokens, intra-op threads {engine.IntraOpThreads} (lone stream {engine.SingleSequenceThreads}), bare ORT loop decode {bare.DecodeTokensPerSecond:0.0} tok/s"));
            targets.Add(new EngineTarget(engine, prompt, options.MaxTokens));
            return await MeasureAndReportAsync(options, targets, bare, loadBefore, cancel.Token);
        }

        return await MeasureAndReportAsync(options, targets, bare, loadBefore, cancel.Token);
    }

    private static async Task<int> MeasureAndReportAsync(LoadOptions options, List<IStreamTarget> targets, BareLoopFigure? bare, string loadBefore, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
        {
            Timeout = TimeSpan.FromMinutes(10),
        };
        if (options.Url is { } url)
        {
            var model = options.ModelName ?? await FirstModelAsync(http, url, cancellationToken);
            targets.Add(new OpenAiTarget(http, url, options.Chat, model, options.Prompt, options.MaxTokens));
        }

        if (options.Native is { } native)
        {
            targets.Add(new NativeTarget(http, native, options.Prompt, options.MaxTokens));
        }

        var results = await MeasureAsync(targets, options, cancellationToken);

        var header = Invariant(
            $"Load benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC: {options.MaxTokens} tokens per stream (ignore_eos), greedy, median of {options.Runs} repetitions per level, {Environment.ProcessorCount} cores, engine MaxBatchSize {options.Batch}, load average {loadBefore} before and {LoadAverage()} after.");
        var report = new LoadReport(header, results, bare);
        var markdown = report.Markdown();
        Console.WriteLine();
        Console.WriteLine(markdown);
        if (options.Out is { } outDir)
        {
            Directory.CreateDirectory(outDir);
            await File.WriteAllTextAsync(Path.Combine(outDir, "load.md"), markdown, cancellationToken);
            report.SaveChart(Path.Combine(outDir, "load.png"));
            Console.WriteLine($"wrote {Path.Combine(outDir, "load.md")} and load.png");
        }

        return 0;
    }

    /// <summary>
    /// Every target at every level, repetitions interleaved across targets (engine, HTTP, engine,
    /// HTTP, ...) so that drifting machine noise hits each target alike and their ratios hold.
    /// </summary>
    private static async Task<List<LevelResult>> MeasureAsync(List<IStreamTarget> targets, LoadOptions options, CancellationToken cancellationToken)
    {
        // One warm-up stream each: connection setup, JIT and ORT's first-run allocations stay out of the figures.
        foreach (var target in targets)
        {
            await LoadRunner.RunOnceAsync(target, 1, new LevelAccumulator(target.Name, 1), cancellationToken);
        }

        var results = new LevelResult[targets.Count, options.Concurrency.Length];
        for (var level = 0; level < options.Concurrency.Length; level++)
        {
            var streams = options.Concurrency[level];
            var accumulators = targets.Select(t => new LevelAccumulator(t.Name, streams)).ToArray();
            for (var repetition = 0; repetition < options.Runs; repetition++)
            {
                for (var t = 0; t < targets.Count; t++)
                {
                    await LoadRunner.RunOnceAsync(targets[t], streams, accumulators[t], cancellationToken);
                }
            }

            for (var t = 0; t < targets.Count; t++)
            {
                var result = results[t, level] = accumulators[t].Result();
                Console.WriteLine(Invariant(
                    $"{result.Target} x{streams}: {result.AggregateTokensPerSecond:0.0} tok/s aggregate, {result.PerStreamTokensPerSecond:0.0} per stream, TTFT p50 {result.TtftP50Ms:0.0} ms, failed {result.FailedStreams}"));
            }
        }

        var ordered = new List<LevelResult>();
        for (var t = 0; t < targets.Count; t++)
        {
            for (var level = 0; level < options.Concurrency.Length; level++)
            {
                ordered.Add(results[t, level]);
            }
        }

        return ordered;
    }

    private static async Task<string> FirstModelAsync(HttpClient http, Uri baseUrl, CancellationToken cancellationToken)
    {
        var models = await http.GetFromJsonAsync<JsonElement>(baseUrl.ToString().TrimEnd('/') + "/models", cancellationToken);
        return models.GetProperty("data")[0].GetProperty("id").GetString()
            ?? throw new InvalidDataException($"{baseUrl}/models lists a model without an id.");
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
