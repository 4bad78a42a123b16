using Chat.ModelTrainer.Corpus;
using Chat.ModelTrainer.Model;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Training;

/// <summary>
/// Greedy (temperature 0) replies of the TorchSharp model to held-out prompts, compared exactly with
/// the expected reply. Prompts of similar length run together, left-padded and masked as a batched
/// engine would; a row stops at &lt;|im_end|&gt; or once it is longer than any expected reply in its chunk.
/// </summary>
public static class Evaluator
{
    private const int ChunkSize = 64;

    public static EvalReport Run(ChatDecoder model, ChatFormat format, IReadOnlyList<EvalCase> cases)
    {
        var replies = new string[cases.Count];
        var order = Enumerable.Range(0, cases.Count)
            .Select(i => (Index: i, Prompt: format.EncodePrompt(cases[i].Prompt)))
            .OrderBy(item => item.Prompt.Count)
            .ToList();
        var (mixedPrecision, training) = (model.BFloat16Matmuls, model.training);
        using (no_grad())
        {
            // Evaluated as served: float32, the ONNX graph's math; the caller's mode comes back even on failure.
            model.eval();
            model.BFloat16Matmuls = false;
            try
            {
                foreach (var chunk in order.Chunk(ChunkSize))
                {
                    var maxNew = chunk.Max(item => cases[item.Index].Expected.Length) + 2;
                    var generated = Greedy(model, format, chunk.Select(item => item.Prompt).ToList(), maxNew);
                    for (var i = 0; i < chunk.Length; i++)
                    {
                        replies[chunk[i].Index] = format.Decode(generated[i]);
                    }
                }
            }
            finally
            {
                model.BFloat16Matmuls = mixedPrecision;
                if (training)
                {
                    model.train();
                }
            }
        }

        return new EvalReport(cases, replies);
    }

    /// <summary>Generated ids per prompt (up to and including the end token when reached), with a KV cache as an engine decodes.</summary>
    public static List<long>[] Greedy(ChatDecoder model, ChatFormat format, IReadOnlyList<List<long>> prompts, int maxNew)
    {
        var rows = prompts.Count;
        var generated = Enumerable.Range(0, rows).Select(_ => new List<long>()).ToArray();
        var finished = new bool[rows];
        var promptLength = prompts.Max(p => p.Count);

        // Positions past the context have no rotary entry: such a reply ends where the context does.
        maxNew = Math.Min(maxNew, model.Spec.Context - promptLength);
        var ids = new long[rows * promptLength];
        var positions = new long[rows * promptLength];
        var pads = new int[rows];
        for (var r = 0; r < rows; r++)
        {
            pads[r] = promptLength - prompts[r].Count;
            for (var t = 0; t < promptLength; t++)
            {
                var real = t >= pads[r];
                ids[(r * promptLength) + t] = real ? prompts[r][t - pads[r]] : format.PadId;
                positions[(r * promptLength) + t] = real ? t - pads[r] : 0;
            }
        }

        using var cache = new KvCache(model.Spec.Layers);
        var step = tensor(ids, [rows, promptLength]);
        var stepPositions = tensor(positions, [rows, promptLength]);
        for (var produced = 0; produced < maxNew && finished.Contains(false); produced++)
        {
            using var scope = NewDisposeScope();
            var total = promptLength + produced;
            var keyMask = new bool[rows * total];
            for (var r = 0; r < rows; r++)
            {
                for (var t = pads[r]; t < total; t++)
                {
                    keyMask[(r * total) + t] = true;
                }
            }

            var logits = model.Forward(step, stepPositions, tensor(keyMask, [rows, total]), cache: cache);
            var next = logits.select(1, logits.shape[1] - 1).argmax(-1).data<long>().ToArray();
            var nextPositions = new long[rows];
            for (var r = 0; r < rows; r++)
            {
                nextPositions[r] = total - pads[r];
                if (finished[r])
                {
                    // The row keeps stepping with the others; its reply ended at the end token.
                    next[r] = format.PadId;
                    continue;
                }

                generated[r].Add(next[r]);
                finished[r] = next[r] == format.ImEndId;
            }

            step.Dispose();
            stepPositions.Dispose();
            step = tensor(next, [rows, 1]).DetachFromDisposeScope();
            stepPositions = tensor(nextPositions, [rows, 1]).DetachFromDisposeScope();
        }

        step.Dispose();
        stepPositions.Dispose();
        return generated;
    }
}
