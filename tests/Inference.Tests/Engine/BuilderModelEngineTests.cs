using System.Text;
using Chat.Inference.ChatClients;
using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport;
using Chat.TestSupport.Models;
using Chat.TestSupport.Reference;
using Microsoft.Extensions.AI;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// The engine on folders the project's own builder writes, loaded the way the gateway loads them
/// (real tokenizer.json and chat template), held to the builder-independent reference forward pass.
/// </summary>
public sealed class BuilderModelEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly int[] Prompt = [72, 101, 108, 108, 111, 44, 32, 119];

    [Theory]
    [InlineData(DecoderGraphStyle.Standard)]
    [InlineData(DecoderGraphStyle.Contrib)]
    public async Task Greedy_ids_equal_the_argmax_chain_of_the_reference_forward_pass(DecoderGraphStyle graph)
    {
        var build = TestModels.Tiny(graph);
        await using var engine = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1 });

        var updates = await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = Prompt, MaxNewTokens = 16, IgnoreEos = true });

        Assert.Equal(ReferenceGreedy(build, Prompt, 16), Fixtures.TokenIds(updates));
        Assert.Equal(FinishReason.Length, updates[^1].FinishReason);
    }

    [Fact]
    public async Task Streamed_text_is_the_full_decode_and_never_splits_a_character()
    {
        // Pure byte-level vocabulary with sampling at temperature 1: the model emits arbitrary bytes,
        // so multi-byte characters (and invalid runs) span tokens all the time.
        var build = TestModels.Tiny(DecoderGraphStyle.Standard);
        await using var engine = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1 });
        var utf8 = Encoding.UTF8.GetBytes("héllo wörld 日本語 🎉");
        var prompt = utf8.Select(b => (int)b).ToArray();

        var updates = await Fixtures.RunAsync(engine, new GenerationRequest
        {
            PromptTokenIds = prompt,
            MaxNewTokens = 200,
            IgnoreEos = true,
            Sampling = new SamplingSettings { Temperature = 1.5f, Seed = 7 },
        });

        var streamed = string.Concat(updates.Select(u => u.Text));
        Assert.Equal(engine.Tokenizer.Decode(Fixtures.TokenIds(updates)), streamed);
        foreach (var text in updates.Select(u => u.Text).Where(t => t.Length > 0))
        {
            Assert.False(char.IsLowSurrogate(text[0]), "a chunk starts inside a surrogate pair");
            Assert.False(char.IsHighSurrogate(text[^1]), "a chunk ends inside a surrogate pair");
        }
    }

    [Fact]
    public async Task The_default_model_chats_through_its_own_template_and_tokenizer()
    {
        var folder = Path.Combine(RepositoryPaths.Models, "chat-default");
        await using var engine = DecoderEngine.Load(folder, new EngineOptions { IntraOpThreads = 1 });
        using var client = new EngineChatClient(engine, engine.Config.Search);
        var options = new ChatOptions { MaxOutputTokens = 24, Temperature = 0.8f, Seed = 11 };
        List<ChatMessage> messages = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hello there")];

        var streamed = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(messages, options).WithCancellation(CancellationToken.None))
        {
            streamed.Append(update.Text);
        }

        var response = await client.GetResponseAsync(messages, options).WaitAsync(Timeout);
        Assert.Equal(streamed.ToString(), response.Text);
        Assert.NotNull(response.Usage);
        var rendered = engine.ChatTemplate.Render([new("system", "Be brief."), new("user", "Hello there")]);
        Assert.Equal(engine.Tokenizer.Encode(rendered).Length, response.Usage!.InputTokenCount);
        Assert.StartsWith("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHello there<|im_end|>\n<|im_start|>assistant\n", rendered, StringComparison.Ordinal);
    }

    internal static int[] ReferenceGreedy(DecoderBuildResult build, int[] prompt, int steps)
    {
        var reference = ReferenceDecoder.ForRandomWeights(build);
        var cache = reference.CreateCache(1);
        var ids = prompt.Select(i => (long)i).ToArray();
        var positions = Enumerable.Range(0, ids.Length).Select(i => (long)i).ToArray();
        var logits = reference.Forward(ids, Enumerable.Repeat(1L, ids.Length).ToArray(), positions, cache);
        var generated = new List<int>();
        var last = logits.AsSpan(logits.Length - reference.Vocab);
        for (var step = 0; step < steps; step++)
        {
            var next = ArgMax(last);
            generated.Add(next);
            var length = prompt.Length + step + 1;
            logits = reference.Forward([next], Enumerable.Repeat(1L, length).ToArray(), [length - 1], cache);
            last = logits;
        }

        return [.. generated];
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
