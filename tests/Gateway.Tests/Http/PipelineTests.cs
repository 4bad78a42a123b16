using Chat.Gateway.Pipeline;
using Chat.Gateway.Tests.Fakes;
using Chat.Inference.Engine;
using Chat.Inference.Templates;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chat.Gateway.Tests.Http;

/// <summary>The M.E.AI pipeline under Semantic Kernel, driven directly (no HTTP).</summary>
public sealed class PipelineTests
{
    private static readonly TimeSpan Timeout = FakeGateway.Timeout;

    [Fact]
    public async Task Engine_updates_survive_the_pipeline_and_semantic_kernel()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var kernel = gateway.Host.Services.GetRequiredService<Kernel>();
        var service = kernel.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("hello");

        var contents = await Collect(service.GetStreamingChatMessageContentsAsync(history, new PromptExecutionSettings(), kernel)).WaitAsync(Timeout);

        var updates = contents.Select(c => Assert.IsType<GenerationUpdate>(c.InnerContent)).ToList();
        Assert.Equal(gateway.Engine.AnswerLength + 1, updates.Count);
        Assert.Equal(Enumerable.Range(0, gateway.Engine.AnswerLength), updates.Where(u => !u.IsFinal).Select(u => u.Index));
        Assert.All(updates.Where(u => !u.IsFinal), u => Assert.Equal(u.Text[0], (char)u.TokenId));
        var final = updates[^1];
        Assert.Equal(FinishReason.Stop, final.FinishReason);
        Assert.Equal(gateway.Engine.AnswerLength, final.Usage!.CompletionTokens);
        Assert.Equal("<user>hello\n<assistant>".Length, final.Usage.PromptTokens);
    }

    [Fact]
    public async Task Generation_parameters_reach_the_engine_through_semantic_kernel()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var generator = gateway.Host.Services.GetRequiredService<ChatGenerator>();
        var parameters = new GenerationParameters
        {
            MaxTokens = 5,
            Temperature = 0.7f,
            TopP = 0.9f,
            TopK = 40,
            MinP = 0.05f,
            RepetitionPenalty = 1.1f,
            PresencePenalty = 0.5f,
            FrequencyPenalty = -0.5f,
            Seed = 1234,
            Stop = ["zz"],
            IgnoreEos = true,
        };

        var prepared = await generator.PrepareChatAsync([new ChatTurn("user", "hi")], parameters, CancellationToken.None).WaitAsync(Timeout);
        await Collect(generator.StreamAsync(prepared, CancellationToken.None)).WaitAsync(Timeout);

        // The first request is the warm-up generation.
        var request = gateway.Engine.Requests.Last();
        Assert.Equal(5, request.MaxNewTokens);
        Assert.Equal(["zz"], request.StopSequences);
        Assert.True(request.IgnoreEos);
        Assert.Equal(new SamplingSettings
        {
            Temperature = 0.7f,
            TopP = 0.9f,
            TopK = 40,
            MinP = 0.05f,
            RepetitionPenalty = 1.1f,
            PresencePenalty = 0.5f,
            FrequencyPenalty = -0.5f,
            Seed = 1234,
        }, request.Sampling);
    }

    [Fact]
    public async Task System_prompt_template_is_rendered_and_history_is_trimmed_to_the_context()
    {
        var engine = new FakeGenerationEngine(contextLength: 120);
        await using var gateway = await FakeGateway.StartAsync(engine, new Dictionary<string, string?> { ["Chat:SystemPrompt"] = "You are {{$model}}." });
        var generator = gateway.Host.Services.GetRequiredService<ChatGenerator>();
        var old = new string('o', 60);
        ChatTurn[] messages = [new("user", old), new("assistant", old), new("user", "last question")];

        var prepared = await generator.PrepareChatAsync(messages, new GenerationParameters { MaxTokens = 10 }, CancellationToken.None).WaitAsync(Timeout);

        var history = prepared.History!;
        Assert.Equal(AuthorRole.System, history[0].Role);
        Assert.Equal("You are fake-model.", history[0].Content);
        Assert.Equal("last question", history[^1].Content);
        Assert.True(history.Count < messages.Length + 1, "the oldest turns should have been dropped");
        Assert.True(prepared.PromptTokens <= 120 - 10);
        var rendered = engine.ChatTemplate.Render(history.Select(m => new ChatTurn(m.Role.Label, m.Content!)).ToArray());
        Assert.Equal(rendered.Length, prepared.PromptTokens);
    }

    [Fact]
    public async Task Non_streaming_chat_client_call_aggregates_the_stream_with_usage()
    {
        await using var gateway = await FakeGateway.StartAsync();
        var client = gateway.Host.Services.GetRequiredService<IChatClient>();

        var response = await client.GetResponseAsync("hello", new Microsoft.Extensions.AI.ChatOptions { MaxOutputTokens = 3 }).WaitAsync(Timeout);

        Assert.Equal(3, response.Text.Length);
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
        Assert.Equal(3, response.Usage!.OutputTokenCount);
        // The warm-up runs on the engine's own client, outside the metered pipeline.
        Assert.Equal(3, await gateway.Host.ReadMetricAsync("gateway_generation_tokens_total"));
    }

    private static async Task<List<T>> Collect<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
