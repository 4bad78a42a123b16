using Chat.ModelBuilder.Decoder;
using Chat.TestSupport.Reference;

namespace Chat.ModelBuilder.Tests;

/// <summary>ONNX Runtime on the built graphs against the naive C# reference forward pass.</summary>
public sealed class DecoderParityTests
{
    private const float Tolerance = 1e-4f;
    private static readonly long[] PromptA = [72, 101, 108, 108, 111];
    private static readonly long[] PromptB = [87, 104, 121];

    public static TheoryData<DecoderGraphStyle, int, int, int, bool> Shapes => new()
    {
        { DecoderGraphStyle.Standard, 2, 4, 2, true },
        { DecoderGraphStyle.Contrib, 2, 4, 2, true },
        { DecoderGraphStyle.Standard, 3, 4, 4, false },
        { DecoderGraphStyle.Contrib, 3, 4, 4, false },
        { DecoderGraphStyle.Standard, 2, 8, 1, false },
        { DecoderGraphStyle.Contrib, 2, 8, 1, true },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Prefill_then_incremental_steps_match_the_reference(DecoderGraphStyle graph, int layers, int heads, int kvHeads, bool tied)
    {
        using var temp = new TempDirectory();
        var (spec, reference) = Build(temp.Path, graph, layers, heads, kvHeads, tied);
        using var ort = new OrtDecoderSession(temp.Path, spec, batch: 1);
        var cache = reference.CreateCache(1);

        long[] prefill = [.. PromptA, 32, 119];
        var mask = Ones(prefill.Length);
        var positions = Range(0, prefill.Length);
        AssertClose(reference.Forward(prefill, mask, positions, cache), ort.Step(prefill, mask, positions), "prefill");

        long[] steps = [111, 114, 108, 100];
        for (var i = 0; i < steps.Length; i++)
        {
            var total = prefill.Length + i + 1;
            long[] token = [steps[i]];
            long[] position = [total - 1];
            AssertClose(reference.Forward(token, Ones(total), position, cache), ort.Step(token, Ones(total), position), $"step {i}");
            Assert.Equal(total, ort.PastLength);
            Assert.Equal([1, kvHeads, total, spec.HeadSize], ort.Present[0].Dimensions.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Left_padded_rows_match_each_prompt_run_alone(DecoderGraphStyle graph, int layers, int heads, int kvHeads, bool tied)
    {
        using var temp = new TempDirectory();
        var (spec, reference) = Build(temp.Path, graph, layers, heads, kvHeads, tied);
        var vocab = reference.Vocab;
        var pad = PromptA.Length - PromptB.Length;
        const long padId = 256;

        using var ort = new OrtDecoderSession(temp.Path, spec, batch: 2);
        long[] ids = [.. PromptA, .. Enumerable.Repeat(padId, pad), .. PromptB];
        long[] mask = [.. Ones(PromptA.Length), .. new long[pad], .. Ones(PromptB.Length)];
        long[] positions = [.. Range(0, PromptA.Length), .. new long[pad], .. Range(0, PromptB.Length)];
        var batchLogits = ort.Step(ids, mask, positions);

        var aloneA = reference.CreateCache(1);
        var aloneB = reference.CreateCache(1);
        var expectedA = reference.Forward(PromptA, Ones(PromptA.Length), Range(0, PromptA.Length), aloneA);
        var expectedB = reference.Forward(PromptB, Ones(PromptB.Length), Range(0, PromptB.Length), aloneB);
        var rowLength = PromptA.Length * vocab;
        AssertClose(expectedA, batchLogits[..rowLength], "row 0 prefill");
        AssertClose(expectedB, batchLogits[(rowLength + (pad * vocab))..], "row 1 real tokens");

        // One decoding step on the padded batch: the cache keeps the padding slots, the mask hides them.
        long[] next = [33, 63];
        long[] stepMask = [.. mask[..PromptA.Length], 1, .. mask[PromptA.Length..], 1];
        var stepLogits = ort.Step(next, stepMask, [PromptA.Length, PromptB.Length]);
        var stepA = reference.Forward([next[0]], Ones(PromptA.Length + 1), [PromptA.Length], aloneA);
        var stepB = reference.Forward([next[1]], Ones(PromptB.Length + 1), [PromptB.Length], aloneB);
        AssertClose(stepA, stepLogits[..vocab], "row 0 step");
        AssertClose(stepB, stepLogits[vocab..], "row 1 step");
    }

    /// <summary>
    /// Larger-than-default weights and non-unit norm gains, so attention is far from uniform and a
    /// swapped norm, a wrong rotary half or a leaked padded key moves the logits well past the tolerance.
    /// </summary>
    private static (DecoderSpec Spec, ReferenceDecoder Reference) Build(string directory, DecoderGraphStyle graph, int layers, int heads, int kvHeads, bool tied)
    {
        var spec = new DecoderSpec(layers, Hidden: 8 * heads, heads, kvHeads, Intermediate: 96, Vocab: null, Context: 64,
            Seed: (ulong)(layers * 100 + heads * 10 + kvHeads), Tied: tied, Graph: graph);
        var vocab = DecoderModelWriter.CreateTokenizer(spec).Tokens.Count;
        var weights = DecoderWeights.CreateRandom(spec, vocab, std: 0.15f);
        var gains = 0;
        foreach (var layer in weights.Layers)
        {
            Perturb(layer.InputNorm, ref gains);
            Perturb(layer.PostAttentionNorm, ref gains);
        }

        Perturb(weights.FinalNorm, ref gains);
        DecoderModelWriter.Write(spec, directory, weights);
        return (spec, new ReferenceDecoder(spec, weights, vocab));
    }

    private static void Perturb(float[] gain, ref int counter)
    {
        for (var i = 0; i < gain.Length; i++)
        {
            gain[i] = 0.6f + (0.08f * (counter++ % 11));
        }
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = 0f;
        var at = -1;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = MathF.Abs(expected[i] - actual[i]);
            if (!(difference <= worst))
            {
                worst = difference;
                at = i;
            }
        }

        Assert.True(worst <= Tolerance, $"{what}: logits differ by {worst} at {at} (expected {(at >= 0 ? expected[at] : 0)}, got {(at >= 0 ? actual[at] : 0)})");
    }

    private static long[] Ones(int count) => Enumerable.Repeat(1L, count).ToArray();

    private static long[] Range(int start, int count) => Enumerable.Range(start, count).Select(i => (long)i).ToArray();
}
