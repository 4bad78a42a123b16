using Chat.ModelBuilder.Decoder;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Chat.ModelTrainer.Model;

/// <summary>One Llama block: x + Attn(RMSNorm(x)), then + SwiGLU(RMSNorm(x)).</summary>
internal sealed class DecoderBlock : nn.Module
{
    private readonly DecoderSpec _spec;
    private readonly Parameter input_norm;
    private readonly Parameter q_proj;
    private readonly Parameter k_proj;
    private readonly Parameter v_proj;
    private readonly Parameter o_proj;
    private readonly Parameter post_attention_norm;
    private readonly Parameter gate_proj;
    private readonly Parameter up_proj;
    private readonly Parameter down_proj;

    public DecoderBlock(DecoderSpec spec, DecoderLayerWeights w)
        : base(nameof(DecoderBlock))
    {
        _spec = spec;
        int h = spec.Hidden, q = spec.Heads * spec.HeadSize, kv = spec.KvHeads * spec.HeadSize, ff = spec.Intermediate;
        input_norm = ChatDecoder.Weight(w.InputNorm, h);
        q_proj = ChatDecoder.Weight(w.QProj, h, q);
        k_proj = ChatDecoder.Weight(w.KProj, h, kv);
        v_proj = ChatDecoder.Weight(w.VProj, h, kv);
        o_proj = ChatDecoder.Weight(w.OProj, q, h);
        post_attention_norm = ChatDecoder.Weight(w.PostAttentionNorm, h);
        gate_proj = ChatDecoder.Weight(w.GateProj, h, ff);
        up_proj = ChatDecoder.Weight(w.UpProj, h, ff);
        down_proj = ChatDecoder.Weight(w.DownProj, ff, h);
        RegisterComponents();
    }

    /// <summary>
    /// Whether the projections multiply in bfloat16 (inputs and weights rounded, float32 results): mixed
    /// precision for training, where a CPU with native bfloat16 dot products runs the SwiGLU about four
    /// times faster (one without them emulates bfloat16 and is far slower: <see cref="Training.ProjectionPrecision"/>).
    /// Norms, rotary embeddings, attention, the residual stream and the weights stay float32. Off (exact float32, the ONNX graph's math) for evaluation, export and the parity tests.
    /// </summary>
    public bool BFloat16Matmuls { get; set; }

    /// <summary>x [B,T,H]; cos/sin [B,T,1,head/2]; bias [B or 1,1,T,past+T] additive; the cache gains this step's keys and values.</summary>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor bias, KvCache? cache, int index)
    {
        var (batch, length) = (x.shape[0], x.shape[1]);
        int heads = _spec.Heads, kvHeads = _spec.KvHeads, headSize = _spec.HeadSize;
        var normed = Operand(RmsNorm(x, input_norm, _spec.RmsNormEpsilon));
        var q = Rotate(Project(normed, q_proj).view(batch, length, heads, headSize), cos, sin).transpose(1, 2);
        var k = Rotate(Project(normed, k_proj).view(batch, length, kvHeads, headSize), cos, sin).transpose(1, 2);
        var v = Project(normed, v_proj).view(batch, length, kvHeads, headSize).transpose(1, 2);
        if (cache is not null)
        {
            (k, v) = cache.Append(index, k, v);
        }

        if (heads != kvHeads)
        {
            // Query head i reads KV head i / (heads / kv_heads), as the graph's Expand + Reshape does.
            k = k.repeat_interleave(heads / kvHeads, dim: 1);
            v = v.repeat_interleave(heads / kvHeads, dim: 1);
        }

        var attention = nn.functional.scaled_dot_product_attention(q, k, v, bias, 0.0, false).transpose(1, 2).reshape(batch, length, heads * headSize);
        x = x.add(Project(Operand(attention), o_proj));

        normed = Operand(RmsNorm(x, post_attention_norm, _spec.RmsNormEpsilon));
        var gated = nn.functional.silu(Project(normed, gate_proj)).mul(Project(normed, up_proj));
        return x.add(Project(Operand(gated), down_proj));
    }

    /// <summary>A matmul input in the projection precision (cast once, used by several projections).</summary>
    private Tensor Operand(Tensor x) => BFloat16Matmuls ? x.to(ScalarType.BFloat16) : x;

    /// <summary>x @ weight, in bfloat16 with a float32 result when <see cref="BFloat16Matmuls"/> is on.</summary>
    private Tensor Project(Tensor x, Tensor weight) => BFloat16Matmuls
        ? x.matmul(weight.to(ScalarType.BFloat16)).to(ScalarType.Float32)
        : x.matmul(weight);

    public DecoderLayerWeights ToWeights() => new()
    {
        InputNorm = ChatDecoder.Values(input_norm),
        QProj = ChatDecoder.Values(q_proj),
        KProj = ChatDecoder.Values(k_proj),
        VProj = ChatDecoder.Values(v_proj),
        OProj = ChatDecoder.Values(o_proj),
        PostAttentionNorm = ChatDecoder.Values(post_attention_norm),
        GateProj = ChatDecoder.Values(gate_proj),
        UpProj = ChatDecoder.Values(up_proj),
        DownProj = ChatDecoder.Values(down_proj),
    };

    public static Tensor RmsNorm(Tensor x, Tensor weight, float epsilon) =>
        x.mul(x.pow(2).mean([-1], keepdim: true).add(epsilon).rsqrt()).mul(weight);

    /// <summary>Rotate-half: (a, b) -> (a cos - b sin, b cos + a sin) over the two halves of each head.</summary>
    private static Tensor Rotate(Tensor x, Tensor cos, Tensor sin)
    {
        var halves = x.chunk(2, -1);
        var (a, b) = (halves[0], halves[1]);
        return cat([a.mul(cos).sub(b.mul(sin)), b.mul(cos).add(a.mul(sin))], -1);
    }
}
