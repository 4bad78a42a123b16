using Chat.Inference.Engine;
using Chat.Inference.Models;
using Chat.TestSupport;

namespace Chat.Inference.Tests.Fakes;

/// <summary>The reference-built fixture folders and engines over them with the fake tokenizer.</summary>
internal static class Fixtures
{
    public static string Gpt2 => Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-gpt2-fp32");

    public static string Llama => Path.Combine(RepositoryPaths.GenAiFixtures!, "tiny-random-llama-fp16");

    public static DecoderEngine LoadEngine(string folder, PairTokenizer? tokenizer = null, EngineOptions? options = null)
    {
        var config = GenAiConfig.Load(folder);
        return DecoderEngine.Load(folder, options ?? new EngineOptions { IntraOpThreads = 1 }, tokenizer ?? new PairTokenizer(config.VocabSize), new PlainChatTemplate());
    }

    public static async Task<List<GenerationUpdate>> CollectAsync(IAsyncEnumerable<GenerationUpdate> stream)
    {
        var updates = new List<GenerationUpdate>();
        await foreach (var update in stream)
        {
            updates.Add(update);
        }

        return updates;
    }

    public static Task<List<GenerationUpdate>> RunAsync(IGenerationEngine engine, GenerationRequest request, CancellationToken cancellationToken = default) =>
        CollectAsync(engine.GenerateAsync(request, cancellationToken)).WaitAsync(TimeSpan.FromSeconds(60));

    public static int[] TokenIds(IEnumerable<GenerationUpdate> updates) =>
        [.. updates.Where(u => !u.IsFinal).Select(u => u.TokenId)];
}
