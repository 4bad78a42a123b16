using System.Numerics.Tensors;
using Chat.Inference.Onnx;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Greedy generation for several prompts in one batch, left-padded to the longest prompt the way
/// onnxruntime-genai pads (pad id in the slot, mask 0, position 0). Each row must equal the same
/// prompt generated alone; this is the reference the continuous-batching scheduler is held to.
/// </summary>
internal static class StaticBatchGenerator
{
    public static int[][] GenerateGreedy(DecoderRunner runner, IReadOnlyList<int[]> prompts, int newTokens, int padTokenId)
    {
        var batch = prompts.Count;
        var longest = prompts.Max(p => p.Length);
        var tokens = new int[batch * longest];
        var padding = new int[batch];
        for (var row = 0; row < batch; row++)
        {
            padding[row] = longest - prompts[row].Length;
            tokens.AsSpan(row * longest, padding[row]).Fill(padTokenId);
            prompts[row].CopyTo(tokens, (row * longest) + padding[row]);
        }

        var vocab = runner.VocabSize;
        var logits = new float[batch * vocab];
        var next = new int[batch];
        var output = new int[batch][];
        for (var row = 0; row < batch; row++)
        {
            output[row] = new int[newTokens];
        }

        using var cache = runner.CreateCache(batch);
        runner.Forward(cache, tokens, padding, logits);
        for (var step = 0; step < newTokens; step++)
        {
            for (var row = 0; row < batch; row++)
            {
                next[row] = TensorPrimitives.IndexOfMax(logits.AsSpan(row * vocab, vocab));
                output[row][step] = next[row];
            }

            if (step + 1 < newTokens)
            {
                runner.Forward(cache, next, padding, logits);
            }
        }

        return output;
    }
}
