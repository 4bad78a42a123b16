using Chat.ModelBuilder.Decoder;

namespace Chat.TestSupport.Reference;

/// <summary>
/// The Llama forward pass in naive loops (double accumulation, no ORT), written from the model
/// definition rather than from the builder's graph: the yardstick the ONNX graphs are held to.
/// Tokens go through one at a time, which is exactly causal prefill; masking follows the ONNX
/// inputs: cache position j is visible to a query at cache position p when j &lt;= p and
/// attention_mask[row, j] != 0.
/// </summary>
public sealed class ReferenceDecoder
{
    private readonly DecoderSpec _spec;
    private readonly DecoderWeights _weights;
    private readonly int _vocab;

    public ReferenceDecoder(DecoderSpec spec, DecoderWeights weights, int vocab)
    {
        weights.Validate(spec, vocab);
        _spec = spec;
        _weights = weights;
        _vocab = vocab;
    }

    /// <summary>The reference for a folder built by the builder from random weights.</summary>
    public static ReferenceDecoder ForRandomWeights(DecoderBuildResult build) =>
        new(build.Spec, DecoderWeights.CreateRandom(build.Spec, build.Vocab), build.Vocab);

    public int Vocab => _vocab;

    public ReferenceKvCache CreateCache(int batch) => new(_spec.Layers, batch);

    /// <summary>
    /// Runs [batch, seq] tokens after what the cache holds and appends them to it. attentionMask is
    /// [batch, cache length + seq]; returns logits [batch, seq, vocab] row-major.
    /// </summary>
    public float[] Forward(long[] inputIds, long[] attentionMask, long[] positionIds, ReferenceKvCache cache)
    {
        var batch = cache.Batch;
        var sequence = inputIds.Length / batch;
        var past = cache.Length;
        var total = past + sequence;
        if (attentionMask.Length != batch * total || positionIds.Length != inputIds.Length)
        {
            throw new ArgumentException("attention mask must be [batch, past + seq] and position ids [batch, seq].");
        }

        var logits = new float[batch * sequence * _vocab];
        for (var b = 0; b < batch; b++)
        {
            for (var s = 0; s < sequence; s++)
            {
                var mask = attentionMask.AsSpan(b * total, total);
                var row = Token(inputIds[(b * sequence) + s], positionIds[(b * sequence) + s], past + s, mask, cache, b);
                row.CopyTo(logits.AsSpan(((b * sequence) + s) * _vocab, _vocab));
            }
        }

        return logits;
    }

    private float[] Token(long tokenId, long position, int cachePosition, ReadOnlySpan<long> mask, ReferenceKvCache cache, int row)
    {
        int h = _spec.Hidden;
        var x = _weights.Embedding.AsSpan(checked((int)tokenId * h), h).ToArray();
        for (var l = 0; l < _spec.Layers; l++)
        {
            var w = _weights.Layers[l];
            var normed = RmsNorm(x, w.InputNorm);
            var q = MatVec(normed, w.QProj, _spec.Heads * _spec.HeadSize);
            var k = MatVec(normed, w.KProj, _spec.KvHeads * _spec.HeadSize);
            var v = MatVec(normed, w.VProj, _spec.KvHeads * _spec.HeadSize);
            Rope(q, _spec.Heads, position);
            Rope(k, _spec.KvHeads, position);
            cache.Keys(l, row).Add(k);
            cache.Values(l, row).Add(v);
            var attention = Attend(q, cache.Keys(l, row), cache.Values(l, row), cachePosition, mask);
            Add(x, MatVec(attention, w.OProj, h));

            normed = RmsNorm(x, w.PostAttentionNorm);
            var gate = MatVec(normed, w.GateProj, _spec.Intermediate);
            var up = MatVec(normed, w.UpProj, _spec.Intermediate);
            for (var i = 0; i < gate.Length; i++)
            {
                gate[i] = (float)(gate[i] / (1.0 + Math.Exp(-gate[i])) * up[i]);
            }

            Add(x, MatVec(gate, w.DownProj, h));
        }

        var final = RmsNorm(x, _weights.FinalNorm);
        if (_weights.LmHead is { } head)
        {
            return MatVec(final, head, _vocab);
        }

        var logits = new float[_vocab];
        for (var t = 0; t < _vocab; t++)
        {
            logits[t] = (float)Dot(final, _weights.Embedding.AsSpan(t * h, h));
        }

        return logits;
    }

    /// <summary>Per query head, softmax over the visible cache positions; a row with none visible (padding) gives zeros.</summary>
    private float[] Attend(float[] q, List<float[]> keys, List<float[]> values, int cachePosition, ReadOnlySpan<long> mask)
    {
        int headSize = _spec.HeadSize, groups = _spec.Heads / _spec.KvHeads;
        var scale = 1.0 / Math.Sqrt(headSize);
        var output = new float[q.Length];
        var scores = new double[cachePosition + 1];
        for (var head = 0; head < _spec.Heads; head++)
        {
            var kvOffset = head / groups * headSize;
            var query = q.AsSpan(head * headSize, headSize);
            var max = double.NegativeInfinity;
            for (var j = 0; j <= cachePosition; j++)
            {
                scores[j] = mask[j] != 0 ? Dot(query, keys[j].AsSpan(kvOffset, headSize)) * scale : double.NegativeInfinity;
                max = Math.Max(max, scores[j]);
            }

            if (double.IsNegativeInfinity(max))
            {
                continue;
            }

            var sum = 0.0;
            for (var j = 0; j <= cachePosition; j++)
            {
                scores[j] = Math.Exp(scores[j] - max);
                sum += scores[j];
            }

            for (var d = 0; d < headSize; d++)
            {
                var acc = 0.0;
                for (var j = 0; j <= cachePosition; j++)
                {
                    acc += scores[j] * values[j][kvOffset + d];
                }

                output[(head * headSize) + d] = (float)(acc / sum);
            }
        }

        return output;
    }

    /// <summary>Rotate-half rotary embedding (Hugging Face Llama), theta^(-2i/head_size) per pair (i, i + head_size/2).</summary>
    private void Rope(float[] x, int heads, long position)
    {
        int headSize = _spec.HeadSize, half = headSize / 2;
        for (var head = 0; head < heads; head++)
        {
            var offset = head * headSize;
            for (var i = 0; i < half; i++)
            {
                var angle = position * Math.Pow(_spec.RopeTheta, -2.0 * i / headSize);
                double cos = Math.Cos(angle), sin = Math.Sin(angle);
                double a = x[offset + i], b = x[offset + half + i];
                x[offset + i] = (float)((a * cos) - (b * sin));
                x[offset + half + i] = (float)((b * cos) + (a * sin));
            }
        }
    }

    private float[] RmsNorm(float[] x, float[] weight)
    {
        var meanSquare = Dot(x, x) / x.Length;
        var inverse = 1.0 / Math.Sqrt(meanSquare + _spec.RmsNormEpsilon);
        var output = new float[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            output[i] = (float)(x[i] * inverse * weight[i]);
        }

        return output;
    }

    /// <summary>x [n] times a row-major [n, columns] matrix.</summary>
    private static float[] MatVec(float[] x, float[] matrix, int columns)
    {
        var output = new double[columns];
        for (var i = 0; i < x.Length; i++)
        {
            var row = matrix.AsSpan(i * columns, columns);
            for (var j = 0; j < columns; j++)
            {
                output[j] += (double)x[i] * row[j];
            }
        }

        return Array.ConvertAll(output, value => (float)value);
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
        {
            sum += (double)a[i] * b[i];
        }

        return sum;
    }

    private static void Add(float[] x, float[] delta)
    {
        for (var i = 0; i < x.Length; i++)
        {
            x[i] += delta[i];
        }
    }
}
