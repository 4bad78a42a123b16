using Chat.ModelBuilder.Decoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Model;

/// <summary>
/// The builder's Llama decoder in TorchSharp, op for op: RMSNorm, rotate-half rotary embeddings,
/// grouped-query attention, SwiGLU, tied or separate LM head. Projections are kept in the ONNX
/// [in, out] layout so weights move to and from <see cref="DecoderWeights"/> without transposes.
/// </summary>
public sealed class ChatDecoder : nn.Module
{
    /// <summary>Additive bias for masked attention scores: finite like the ONNX graph's, so fully masked (padding) rows stay finite.</summary>
    private const float MaskedScore = -1e9f;

    private readonly Parameter embedding;
    private readonly ModuleList<DecoderBlock> layers;
    private readonly Parameter final_norm;
    private readonly Parameter? lm_head;
    private readonly Tensor rotary_cos;
    private readonly Tensor rotary_sin;

    private ChatDecoder(DecoderSpec spec, DecoderWeights weights, int vocab)
        : base(nameof(ChatDecoder))
    {
        weights.Validate(spec, vocab);
        Spec = spec;
        Vocab = vocab;
        embedding = Weight(weights.Embedding, vocab, spec.Hidden);
        layers = new ModuleList<DecoderBlock>(weights.Layers.Select(w => new DecoderBlock(spec, w)).ToArray());
        final_norm = Weight(weights.FinalNorm, spec.Hidden);
        lm_head = weights.LmHead is null ? null : Weight(weights.LmHead, spec.Hidden, vocab);
        (rotary_cos, rotary_sin) = RotaryTables(spec);
        RegisterComponents();
    }

    public DecoderSpec Spec { get; }

    public int Vocab { get; }

    /// <summary>Mixed precision for training: see <see cref="DecoderBlock.BFloat16Matmuls"/> (the LM head and loss stay float32).</summary>
    public bool BFloat16Matmuls
    {
        get => layers[0].BFloat16Matmuls;
        set
        {
            foreach (var layer in layers)
            {
                layer.BFloat16Matmuls = value;
            }
        }
    }

    /// <summary>A model holding the given weights (random ones from the builder, or a trained set).</summary>
    public static ChatDecoder FromWeights(DecoderSpec spec, DecoderWeights weights, int vocab) => new(spec, weights, vocab);

    /// <summary>
    /// Logits [B, T, vocab] for ids [B, T] after what <paramref name="cache"/> holds (null: nothing).
    /// Positions default to past..past+T-1; keyMask [B, past + T] (true = real token) hides left padding
    /// from every query, as attention_mask does in the ONNX graph; segments [B, T] (no cache) keeps
    /// packed conversations apart: a query sees keys of its own segment only.
    /// </summary>
    public Tensor Forward(Tensor ids, Tensor? positions = null, Tensor? keyMask = null, Tensor? segments = null, KvCache? cache = null)
    {
        using var scope = NewDisposeScope();
        var (batch, length) = (ids.shape[0], ids.shape[1]);
        var past = cache?.Length ?? 0;
        var total = past + length;
        positions ??= arange(past, total, dtype: int64).unsqueeze(0).expand(batch, length);
        var cos = rotary_cos[positions].unsqueeze(2);
        var sin = rotary_sin[positions].unsqueeze(2);
        var allowed = arange(total).view(1, total).le(arange(past, total).view(length, 1)).view(1, 1, length, total);
        if (keyMask is not null)
        {
            allowed = allowed.logical_and(keyMask.view(batch, 1, 1, total));
        }

        if (segments is not null)
        {
            allowed = allowed.logical_and(segments.view(batch, 1, length, 1).eq(segments.view(batch, 1, 1, length)));
        }

        var bias = zeros(allowed.shape).masked_fill(allowed.logical_not(), MaskedScore);
        var x = embedding[ids];
        for (var i = 0; i < layers.Count; i++)
        {
            x = layers[i].Forward(x, cos, sin, bias, cache, i);
        }

        var normed = DecoderBlock.RmsNorm(x, final_norm, Spec.RmsNormEpsilon);
        var logits = normed.matmul(lm_head ?? embedding.t());
        return logits.MoveToOuterDisposeScope();
    }

    /// <summary>A copy of the current weights in the builder's layout.</summary>
    public DecoderWeights ToWeights() => new()
    {
        Embedding = Values(embedding),
        Layers = layers.Select(layer => layer.ToWeights()).ToArray(),
        FinalNorm = Values(final_norm),
        LmHead = lm_head is null ? null : Values(lm_head),
    };

    internal static Parameter Weight(float[] values, params long[] shape) => new(tensor(values, shape));

    internal static float[] Values(Tensor parameter)
    {
        using var noGrad = no_grad();
        return parameter.detach().contiguous().data<float>().ToArray();
    }

    /// <summary>cos/sin [context, head_size/2] of position * theta^(-2i/head_size), in double as the builder computes them.</summary>
    private static (Tensor Cos, Tensor Sin) RotaryTables(DecoderSpec spec)
    {
        var half = spec.HeadSize / 2;
        var cos = new float[spec.Context * half];
        var sin = new float[spec.Context * half];
        for (var position = 0; position < spec.Context; position++)
        {
            for (var i = 0; i < half; i++)
            {
                var angle = position * Math.Pow(spec.RopeTheta, -2.0 * i / spec.HeadSize);
                cos[(position * half) + i] = (float)Math.Cos(angle);
                sin[(position * half) + i] = (float)Math.Sin(angle);
            }
        }

        return (tensor(cos, [spec.Context, half]), tensor(sin, [spec.Context, half]));
    }
}
