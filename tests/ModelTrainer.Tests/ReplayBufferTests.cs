using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Training;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Tests;

/// <summary>Hard-example replay: what enters the buffer, what batches take from it, and that --resume keeps it.</summary>
public sealed class ReplayBufferTests : IDisposable
{
    private readonly string _directory;

    public ReplayBufferTests()
    {
        TorchSharpNative.EnsureLoaded();
        _directory = Directory.CreateTempSubdirectory("trainer-replay-").FullName;
    }

    [Fact]
    public void The_buffer_is_first_in_first_out_bounded_and_lets_go_after_max_replays()
    {
        var buffer = new ReplayBuffer(capacity: 2, maxReplays: 2);
        buffer.Add(Sum(1), replays: 0);
        buffer.Add(Sum(2), replays: 1);
        buffer.Add(Sum(3), replays: 0); // full: 1 makes room
        buffer.Add(Sum(4), replays: 2); // replayed twice already: let go
        Assert.Equal(2, buffer.Count);
        Assert.Equal(4, buffer.Added);

        Assert.True(buffer.TryTake(out var first));
        Assert.Equal(Sum(2)[0], first.Messages[0]);
        Assert.Equal(1, first.Replays);
        Assert.True(buffer.TryTake(out var second));
        Assert.Equal(Sum(3)[0], second.Messages[0]);
        Assert.False(buffer.TryTake(out _));
    }

    [Fact]
    public void The_buffer_round_trips_through_its_file_and_a_missing_file_is_empty()
    {
        var buffer = new ReplayBuffer();
        buffer.Add([ChatMessage.System("Be concise."), .. Sum(5)], replays: 0);
        buffer.Add(Sum(6), replays: 3);
        var path = Path.Combine(_directory, ReplayBuffer.FileName);
        buffer.Save(path);

        var loaded = new ReplayBuffer();
        loaded.Load(path);
        Assert.Equal(2, loaded.Count);
        Assert.Equal(2, loaded.Added);
        Assert.True(loaded.TryTake(out var entry));
        Assert.Equal([ChatMessage.System("Be concise."), .. Sum(5)], entry.Messages);
        Assert.True(loaded.TryTake(out entry));
        Assert.Equal(3, entry.Replays);

        loaded.Load(Path.Combine(_directory, "none.json"));
        Assert.Equal(0, loaded.Count);
    }

    [Fact]
    public void Batches_take_replayed_conversations_and_without_replay_the_stream_is_unchanged()
    {
        var format = new ChatFormat();
        using (var plain = PackedBatch.Sample(format, new Random(3), 2, 128))
        using (var empty = PackedBatch.Sample(format, new Random(3), 2, 128, new ReplayBuffer(), 0.5, new CorpusRecipe(), out _))
        {
            Assert.Equal(plain.Ids.data<long>().ToArray(), empty.Ids.data<long>().ToArray());
            Assert.All(empty.Placed, placement => Assert.Equal(0, placement.Replays));
        }

        var buffer = new ReplayBuffer();
        for (var i = 0; i < 100; i++)
        {
            buffer.Add(Sum(100 + i), replays: 1);
        }

        using var batch = PackedBatch.Sample(format, new Random(3), 2, 128, buffer, 0.99, new CorpusRecipe(), out _);
        var replayed = batch.Placed.Where(p => p.Replays == 2).ToList();
        Assert.True(replayed.Count > batch.Placed.Count / 2, $"{replayed.Count} of {batch.Placed.Count} conversations replayed");
        Assert.All(replayed, p => Assert.StartsWith("What is 1", p.Messages[0].Content, StringComparison.Ordinal));
        Assert.True(buffer.Count <= 100 - replayed.Count, "a replayed conversation leaves the buffer");

        // The placements match the ids: each placed conversation is where the batch says it is.
        var ids = batch.Ids.data<long>().ToArray();
        foreach (var placement in batch.Placed)
        {
            Assert.Equal(format.Encode(placement.Messages).Ids, ids.Skip(placement.Start).Take(placement.Length));
        }
    }

    [Fact]
    public void Only_conversations_with_a_wrong_argmax_on_a_trained_token_are_queued()
    {
        var format = new ChatFormat();
        using var batch = PackedBatch.Sample(format, new Random(11), 2, 128);
        var targets = batch.Targets.data<long>().ToArray();
        var right = targets.Select(t => t == PackedBatch.Ignored ? 0 : t).ToArray();

        // Logits whose argmax is every target: nothing is wrong.
        using var perfect = nn.functional.one_hot(tensor(right, [2, 128]), format.Vocab).to(float32).mul(10);
        var buffer = new ReplayBuffer();
        Trainer.CollectMistakes(perfect, batch, buffer);
        Assert.Equal(0, buffer.Count);

        // One wrong trained token in the third conversation, and a "wrong" ignored position in the first:
        // only the third is queued.
        var third = batch.Placed[2];
        var trained = Enumerable.Range(third.Start, third.Length).Last(i => targets[i] != PackedBatch.Ignored);
        var ignored = Enumerable.Range(batch.Placed[0].Start, batch.Placed[0].Length).First(i => targets[i] == PackedBatch.Ignored);
        var wrong = (long[])right.Clone();
        wrong[trained] = (right[trained] + 1) % format.Vocab;
        wrong[ignored] = 1;
        using var oneWrong = nn.functional.one_hot(tensor(wrong, [2, 128]), format.Vocab).to(float32).mul(10);
        Trainer.CollectMistakes(oneWrong, batch, buffer);
        Assert.Equal(1, buffer.Count);
        Assert.True(buffer.TryTake(out var entry));
        Assert.Same(third.Messages, entry.Messages);
    }

    [Fact]
    public void A_replay_run_checkpoints_its_buffer_and_resume_keeps_its_fraction()
    {
        var first = new Trainer(Options(steps: 3, replay: 0.5, resume: false), TextWriter.Null).Run();
        Assert.Equal(0.5, first.ReplayFraction);
        var path = Checkpoint.ReplayPath(_directory);
        Assert.True(File.Exists(path));
        var saved = new ReplayBuffer();
        saved.Load(path);
        Assert.True(saved.Added > 0, "an untrained model gets every conversation wrong");

        var log = new StringWriter();
        var resumed = new Trainer(Options(steps: 4, replay: 0, resume: true), log).Run();
        Assert.Equal(4, resumed.Step);
        Assert.Equal(0.5, resumed.ReplayFraction);
        Assert.Contains("replaying mistakes in 0.5 of the draws", log.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_without_replay_writes_no_buffer()
    {
        var state = new Trainer(Options(steps: 1, replay: 0, resume: false), TextWriter.Null).Run();
        Assert.Equal(0, state.ReplayFraction);
        Assert.False(File.Exists(Checkpoint.ReplayPath(_directory)));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_replay_fraction_outside_0_to_1_is_refused_naming_the_flag(double fraction)
    {
        var options = Options(steps: 1, replay: fraction, resume: false);
        Assert.Contains("--replay", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static List<ChatMessage> Sum(int a) => [ChatMessage.User($"What is {a} + 1?"), ChatMessage.Assistant($"{a} + 1 = {a + 1}.")];

    private TrainingOptions Options(int steps, double replay, bool resume) =>
        TinyRun.Options(_directory, steps, resume) with { ReplayFraction = replay };
}
