using System.Text;
using System.Text.Json;
using Chat.Inference.Engine;
using Chat.TestSupport;

namespace Chat.Gateway.Tests.RealModel;

/// <summary>/v1/completions with token ids on the reference-built fixtures equals the engine run in-process.</summary>
public sealed class FixtureCompletionTests
{
    private static readonly TimeSpan Timeout = RealModelGateway.Timeout;
    private static readonly int[][] Prompts = [[5, 17, 42], [7, 300, 11, 250, 99, 3, 64]];

    [GenAiFixtureFact]
    public async Task Return_token_ids_equal_in_process_greedy_ids_also_for_concurrent_requests()
    {
        foreach (var name in new[] { "tiny-random-gpt2-fp32", "tiny-random-llama-fp16" })
        {
            var folder = Path.Combine(RepositoryPaths.GenAiFixtures!, name);
            var expected = new List<int[]>();
            await using (var engine = DecoderEngine.Load(folder, new EngineOptions { IntraOpThreads = 1 }))
            {
                foreach (var prompt in Prompts)
                {
                    expected.Add(await GreedyAsync(engine, prompt));
                }
            }

            await using var host = await RealModelGateway.StartAsync(folder);
            using var client = host.CreateClient();

            var alone = await CompleteAsync(client, Prompts[0]);
            Assert.Equal(Prompts[0], alone.PromptIds);
            Assert.Equal(expected[0], alone.TokenIds);

            var together = await Task.WhenAll(Prompts.Select(p => CompleteAsync(client, p))).WaitAsync(Timeout);
            for (var i = 0; i < Prompts.Length; i++)
            {
                Assert.Equal(Prompts[i], together[i].PromptIds);
                Assert.Equal(expected[i], together[i].TokenIds);
            }
        }
    }

    private static async Task<int[]> GreedyAsync(IGenerationEngine engine, int[] prompt)
    {
        var ids = new List<int>();
        await foreach (var update in engine.GenerateAsync(new GenerationRequest { PromptTokenIds = prompt, MaxNewTokens = 10, IgnoreEos = true }))
        {
            if (!update.IsFinal)
            {
                ids.Add(update.TokenId);
            }
        }

        return [.. ids];
    }

    private static async Task<(int[] PromptIds, int[] TokenIds)> CompleteAsync(HttpClient client, int[] prompt)
    {
        var body = $"{{\"prompt\":[{string.Join(',', prompt)}],\"max_tokens\":10,\"temperature\":0,\"ignore_eos\":true,\"return_token_ids\":true}}";
        using var response = await client.PostAsync("/v1/completions", new StringContent(body, Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, text);
        var choice = JsonDocument.Parse(text).RootElement.GetProperty("choices")[0];
        return (Ids(choice.GetProperty("prompt_token_ids")), Ids(choice.GetProperty("token_ids")));
    }

    private static int[] Ids(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetInt32())];
}
