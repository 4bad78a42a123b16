using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Training;
using Xunit.Abstractions;

namespace Chat.ModelTrainer.Tests;

/// <summary>Packing fills the rows, keeps conversations apart and keeps the corpus mix of conversation lengths.</summary>
public sealed class PackedBatchTests
{
    private readonly ITestOutputHelper _output;

    public PackedBatchTests(ITestOutputHelper output)
    {
        _output = output;
        TorchSharpNative.EnsureLoaded();
    }

    private const int Rows = 8;
    private const int RowLength = 384;

    [Fact]
    public void Best_fit_fills_most_of_every_batch_without_skewing_conversation_lengths()
    {
        var format = new ChatFormat();
        var random = new Random(5);
        long tokens = 0, conversations = 0, dropped = 0;
        const int batches = 40;
        for (var b = 0; b < batches; b++)
        {
            using var batch = PackedBatch.Sample(format, random, Rows, RowLength, out var misses);
            tokens += batch.Tokens;
            dropped += misses;
            var segments = batch.Segments.data<long>().ToArray();
            for (var row = 0; row < Rows; row++)
            {
                conversations += segments.Skip(row * RowLength).Take(RowLength).Where(s => s >= 0).Distinct().Count();
            }
        }

        var stream = new Random(6);
        var sampledMean = Enumerable.Range(0, 4000).Average(_ => format.Encode(SkillCorpus.SampleTraining(stream)).Ids.Count);
        var utilization = (double)tokens / (batches * Rows * RowLength);
        var packedMean = (double)tokens / conversations;
        _output.WriteLine($"utilization {utilization:P1}; mean conversation {packedMean:0.0} tokens packed vs {sampledMean:0.0} sampled; {dropped} of {conversations + dropped} drawn conversations fit no row");
        Assert.True(utilization > 0.9, $"only {utilization:P1} of the batch holds tokens");
        Assert.InRange(packedMean / sampledMean, 0.9, 1.1);
    }

    [Fact]
    public void Targets_are_next_assistant_tokens_and_segments_restart_positions()
    {
        var format = new ChatFormat();
        using var batch = PackedBatch.Sample(format, new Random(9), 2, 256);
        var ids = batch.Ids.data<long>().ToArray();
        var positions = batch.Positions.data<long>().ToArray();
        var segments = batch.Segments.data<long>().ToArray();
        var targets = batch.Targets.data<long>().ToArray();
        for (var i = 0; i < ids.Length; i++)
        {
            var startsSegment = i % 256 == 0 || segments[i] != segments[i - 1];
            if (segments[i] >= 0)
            {
                Assert.Equal(startsSegment ? 0 : positions[i - 1] + 1, positions[i]);
            }
            else
            {
                Assert.Equal(format.PadId, ids[i]);
            }

            if (targets[i] != PackedBatch.Ignored)
            {
                Assert.True(i % 256 < 255 && segments[i + 1] == segments[i], "a target crosses a conversation");
                Assert.Equal(ids[i + 1], targets[i]);
            }
        }

        Assert.Contains(targets, t => t == format.ImEndId);
    }
}
