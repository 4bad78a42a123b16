using Chat.Inference.Engine;
using Chat.Inference.Tests.Fakes;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport.Models;

namespace Chat.Inference.Tests.Engine;

/// <summary>
/// The lone-stream session (EngineOptions.SingleSequenceThreads): a second session with fewer
/// intra-op threads serves one-token calls of a single sequence; batched and prompt calls stay on the
/// main one. Which session serves a call must never change the tokens.
/// </summary>
public sealed class SingleSequenceSessionTests
{
    private static readonly int[] Prompt = [72, 101, 108, 108, 111, 44, 32, 119];

    [Theory]
    [InlineData(DecoderGraphStyle.Standard)]
    [InlineData(DecoderGraphStyle.Contrib)]
    public async Task A_lone_stream_on_the_one_thread_session_and_a_batch_on_the_main_session_give_the_reference_ids(DecoderGraphStyle graph)
    {
        var build = TestModels.Tiny(graph);
        await using var engine = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 2, SingleSequenceThreads = 1, MaxBatchSize = 4 });
        Assert.Equal(2, engine.IntraOpThreads);
        Assert.Equal(1, engine.SingleSequenceThreads);
        var expected = ReferenceGreedy(build, Prompt, 12);

        var alone = await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = Prompt, MaxNewTokens = 12, IgnoreEos = true });
        Assert.Equal(expected, Fixtures.TokenIds(alone));

        // Three together: every step is a batched call on the main session until they finish.
        var together = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = Prompt, MaxNewTokens = 12, IgnoreEos = true })));
        Assert.All(together, updates => Assert.Equal(expected, Fixtures.TokenIds(updates)));
    }

    [Fact]
    public async Task Off_or_equal_to_the_main_count_means_one_session()
    {
        var build = TestModels.Tiny(DecoderGraphStyle.Standard);
        await using (var off = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 2, SingleSequenceThreads = 0 }))
        {
            Assert.Equal(2, off.SingleSequenceThreads);
        }

        await using var same = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 1 });
        Assert.Equal(1, same.SingleSequenceThreads);
    }

    [Fact]
    public async Task Measuring_at_load_keeps_one_of_the_two_counts_and_generates_the_reference_ids()
    {
        var build = TestModels.Tiny(DecoderGraphStyle.Standard);
        await using var engine = DecoderEngine.Load(build.Directory, new EngineOptions { IntraOpThreads = 2 });

        Assert.Contains(engine.SingleSequenceThreads, new[] { 1, 2 });
        var updates = await Fixtures.RunAsync(engine, new GenerationRequest { PromptTokenIds = Prompt, MaxNewTokens = 12, IgnoreEos = true });
        Assert.Equal(ReferenceGreedy(build, Prompt, 12), Fixtures.TokenIds(updates));
    }

    [Fact]
    public void A_count_below_minus_one_is_refused_naming_the_option()
    {
        var build = TestModels.Tiny(DecoderGraphStyle.Standard);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DecoderEngine.Load(build.Directory, new EngineOptions { SingleSequenceThreads = -2 }));
        Assert.Equal(nameof(EngineOptions.SingleSequenceThreads), error.ParamName);
    }

    private static int[] ReferenceGreedy(DecoderBuildResult build, int[] prompt, int steps) =>
        BuilderModelEngineTests.ReferenceGreedy(build, prompt, steps);
}
