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

    private PackedBatch(Tensor ids, Tensor positions, Tensor segments, Tensor targets, long tokens)
    {
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

    /// <summary>Fills <paramref name="rows"/> rows of <paramref name="rowLength"/> with conversations drawn from <paramref name="random"/>.</summary>
    public static PackedBatch Sample(ChatFormat format, Random random, int rows, int rowLength)
    {
        var ids = new long[rows * rowLength];
        var positions = new long[rows * rowLength];
        var segments = new long[rows * rowLength];
        var targets = new long[rows * rowLength];
        Array.Fill(ids, format.PadId);
        Array.Fill(targets, Ignored);
        Array.Fill(segments, -1);
        long tokens = 0;
        for (var row = 0; row < rows; row++)
        {
            var used = 0;
            for (var segment = 0; ; segment++)
            {
                var (conversation, trained) = format.Encode(SkillCorpus.SampleTraining(random));
                if (conversation.Count > rowLength)
                {
                    continue;
                }

                if (used + conversation.Count > rowLength)
                {
                    break;
                }

                var offset = (row * rowLength) + used;
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

                used += conversation.Count;
                tokens += conversation.Count;
            }
        }

        long[] shape = [rows, rowLength];
        return new PackedBatch(tensor(ids, shape), tensor(positions, shape), tensor(segments, shape), tensor(targets, shape), tokens);
    }

    public void Dispose()
    {
        Ids.Dispose();
        Positions.Dispose();
        Segments.Dispose();
        Targets.Dispose();
    }
}
