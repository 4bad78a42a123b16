using Chat.Inference.ChatClients;
using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.TestSupport;
using Microsoft.Extensions.AI;

namespace Chat.Inference.Tests.Chat;

public sealed class EngineChatClientTests
{
    // With the two-letter fake tokenizer and the plain template this prompt is ids [5, 17, 42, 8].
    private static readonly ChatMessage[] Messages = [new(ChatRole.System, "fa"), new(ChatRole.User, "raqbia")];

    [GenAiFixtureFact]
    public async Task Streaming_and_non_streaming_give_the_same_text_for_the_same_seed()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        using var client = new EngineChatClient(engine);
        var options = new ChatOptions { Temperature = 0.9f, TopP = 0.95f, Seed = 77, MaxOutputTokens = 16 };

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync(Messages, options).WithCancellation(CancellationToken.None))
        {
            updates.Add(update);
        }

        var response = await client.GetResponseAsync(Messages, options).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(string.Concat(updates.Select(u => u.Text)), response.Text);
        Assert.Equal(32, response.Text.Length);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal((4L, 16L, 20L), (response.Usage!.InputTokenCount!.Value, response.Usage.OutputTokenCount!.Value, response.Usage.TotalTokenCount!.Value));
        Assert.Equal("tiny-random-gpt2-fp32", response.ModelId);

        var last = updates[^1];
        Assert.Equal(ChatFinishReason.Length, last.FinishReason);
        Assert.Single(last.Contents.OfType<UsageContent>());
        var raw = Assert.IsType<GenerationUpdate>(last.RawRepresentation);
        Assert.True(raw.IsFinal);
        Assert.All(updates[..^1], u => Assert.False(Assert.IsType<GenerationUpdate>(u.RawRepresentation).IsFinal));
        Assert.Equal(Enumerable.Range(0, 16), updates[..^1].Select(u => ((GenerationUpdate)u.RawRepresentation!).Index));
    }

    [GenAiFixtureFact]
    public async Task Greedy_chat_equals_the_engine_on_the_rendered_prompt_and_honours_stop_sequences()
    {
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2);
        using var client = new EngineChatClient(engine);
        var ids = Fixtures.TokenIds(await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = [5, 17, 42, 8], MaxNewTokens = 8, IgnoreEos = true }));
        var expected = string.Concat(ids.Select(PairTokenizer.TextOf));

        var greedy = await client.GetResponseAsync(Messages, new ChatOptions { Temperature = 0, MaxOutputTokens = 8 }).WaitAsync(TimeSpan.FromSeconds(60));
        var stopped = await client.GetResponseAsync(Messages, new ChatOptions { Temperature = 0, MaxOutputTokens = 8, StopSequences = [expected[5..7]] })
            .WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(expected, greedy.Text);
        Assert.Equal(expected[..expected.IndexOf(expected[5..7], StringComparison.Ordinal)], stopped.Text);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
    }

    [GenAiFixtureFact]
    public async Task Cancelling_the_caller_token_throws_and_reports_metadata()
    {
        var tokenizer = new PairTokenizer(1000) { Gate = new SemaphoreSlim(1) };
        await using var engine = Fixtures.LoadEngine(Fixtures.Gpt2, tokenizer);
        using var client = new EngineChatClient(engine);
        using var cts = new CancellationTokenSource();

        await using var stream = client.GetStreamingResponseAsync(Messages, new ChatOptions { MaxOutputTokens = 100 }, cts.Token).GetAsyncEnumerator();
        Assert.True(await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        await cts.CancelAsync();
        tokenizer.Gate.Release(1000);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await stream.MoveNextAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30)))
            {
            }
        });

        var metadata = Assert.IsType<ChatClientMetadata>(client.GetService(typeof(ChatClientMetadata)));
        Assert.Equal("tiny-random-gpt2-fp32", metadata.DefaultModelId);
        Assert.Same(engine, client.GetService(typeof(IGenerationEngine)));
    }
}
