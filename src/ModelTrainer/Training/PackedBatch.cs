using Chat.ModelTrainer.Corpus;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Conversations packed into rows of a fixed length, each with its own positions from 0 and its own
/// segment, so nothing attends across conversations and no compute goes to padding beyond a row's tail.
/// Targets are the next ids where the model is trained (assistant tokens), -100 elsewhere.
/// </summary>
internal sealed class PackedBatch : IDisposable
{
    public const long Ignored = -100;

    private PackedBatch(Tensor ids, Tensor positions, Tensor segments, Tensor targets, long tokens, IReadOnlyList<Placement> placed)
    {
        Placed = placed;
        Ids = ids;
        Positions = positions;
        Segments = segments;
        Targets = targets;
        Tokens = tokens;
    }

    public Tensor Ids { get; }

    public Tensor Positions { get; }

    public Tensor Segments { get; }

    public Tensor Targets { get; }

    /// <summary>Real (non-padding) tokens in the batch.</summary>
    public long Tokens { get; }

    /// <summary>Where each conversation of the batch sits, for <see cref="ReplayBuffer"/>.</summary>
    public IReadOnlyList<Placement> Placed { get; }

    /// <summary>A conversation at [Start, Start + Length) of the flattened batch; Replays: times it was replayed before.</summary>
    public sealed record Placement(IReadOnlyList<ChatMessage> Messages, int Start, int Length, int Replays);

    /// <summary>
    /// Fills <paramref name="rows"/> rows of <paramref name="rowLength"/> with conversations drawn from
    /// <paramref name="random"/>: conversations are drawn until they would fill the batch, then placed
    /// longest first, each into the fullest row it still fits (first-fit decreasing, best fit). Closing a
    /// row at the first conversation that overflowed it left a quarter of every batch as padding and
    /// dropped that conversation, which made long (multi-turn) conversations rarer than the corpus draws
    /// them; PackedBatchTests measures both.
    /// </summary>
    public static PackedBatch Sample(ChatFormat format, Random random, int rows, int rowLength) =>
        Sample(format, random, rows, rowLength, out _);

    /// <summary>As <see cref="Sample(ChatFormat, Random, int, int)"/>, also counting the drawn conversations that fit no row.</summary>
    public static PackedBatch Sample(ChatFormat format, Random random, int rows, int rowLength, out int dropped) =>
        Sample(format, random, rows, rowLength, replay: null, replayFraction: 0, new CorpusRecipe(), out dropped);

    /// <summary>
    /// As <see cref="Sample(ChatFormat, Random, int, int)"/>, each conversation taken from
    /// <paramref name="replay"/> with probability <paramref name="replayFraction"/> while it holds any
    /// (without replay the stream of <paramref name="random"/> is the same as without the argument), new
    /// conversations drawn by <see cref="SkillCorpus.SampleTraining"/> as <paramref name="recipe"/> says.
    /// </summary>
    public static PackedBatch Sample(ChatFormat format, Random random, int rows, int rowLength, ReplayBuffer? replay, double replayFraction, CorpusRecipe recipe, out int dropped)
    {
        var ids = new long[rows * rowLength];
        var positions = new long[rows * rowLength];
        var segments = new long[rows * rowLength];
        var targets = new long[rows * rowLength];
        Array.Fill(ids, format.PadId);
        Array.Fill(targets, Ignored);
        Array.Fill(segments, -1);

        var drawn = new List<(List<long> Ids, List<bool> Trained, IReadOnlyList<ChatMessage> Messages, int Replays)>();
        for (var total = 0; total < rows * rowLength;)
        {
            var (messages, replays) = replay is { Count: > 0 } && replayFraction > 0 && random.NextDouble() < replayFraction && replay.TryTake(out var entry)
                ? (entry.Messages, entry.Replays + 1)
                : (SkillCorpus.SampleTraining(random, recipe), 0);
            var conversation = format.Encode(messages);
            if (conversation.Ids.Count <= rowLength)
            {
                drawn.Add((conversation.Ids, conversation.Trained, messages, replays));
                total += conversation.Ids.Count;
            }
        }

        var used = new int[rows];
        var segmentCount = new int[rows];
        long tokens = 0;
        dropped = 0;
        var placed = new List<Placement>(drawn.Count);
        foreach (var (conversation, trained, messages, replays) in drawn.OrderByDescending(c => c.Ids.Count))
        {
            var row = -1;
            for (var r = 0; r < rows; r++)
            {
                if (rowLength - used[r] >= conversation.Count && (row < 0 || used[r] > used[row]))
                {
                    row = r;
                }
            }

            if (row < 0)
            {
                dropped++;
                continue;
            }

            var offset = (row * rowLength) + used[row];
            var segment = segmentCount[row]++;
            for (var i = 0; i < conversation.Count; i++)
            {
                ids[offset + i] = conversation[i];
                positions[offset + i] = i;
                segments[offset + i] = segment;
                if (i + 1 < conversation.Count && trained[i + 1])
                {
                    targets[offset + i] = conversation[i + 1];
                }
            }

            placed.Add(new Placement(messages, offset, conversation.Count, replays));
            used[row] += conversation.Count;
            tokens += conversation.Count;
        }

        long[] shape = [rows, rowLength];
        return new PackedBatch(tensor(ids, shape), tensor(positions, shape), tensor(segments, shape), tensor(targets, shape), tokens, placed);
    }

    public void Dispose()
    {
        Ids.Dispose();
        Positions.Dispose();
        Segments.Dispose();
        Targets.Dispose();
    }
}
