using Chat.ModelBuilder.Onnx;
using static Chat.ModelBuilder.Decoder.Internal.OnnxGraphBuilder;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// The fused operators the onnxruntime-genai builder emits for CPU: SimplifiedLayerNormalization
/// (default domain, registered by ORT), SkipSimplifiedLayerNormalization, RotaryEmbedding and
/// MultiHeadAttention (com.microsoft), with the same attributes as the reference Llama export.
/// </summary>
/// <remarks>
/// MultiHeadAttention rather than GroupQueryAttention: GQA masks keys by a per-row length
/// (seqlens_k), which assumes right padding, while a left-padded batch needs the padded key
/// positions masked; MHA takes the additive [B,1,S,T] mask built from attention_mask. MHA has no
/// grouped heads, so when kv_heads &lt; heads the graph keeps the cache at kv_heads (present.* is what
/// genai_config's num_key_value_heads promises), appends the new keys itself and repeats them
/// per query head for the MHA call.
/// </remarks>
internal sealed class ContribDecoderGraphOps(OnnxGraphBuilder graph, DecoderSpec spec) : DecoderGraphOps(graph, spec)
{
    private const string MicrosoftDomain = "com.microsoft";
    private string? _cosCache;
    private string? _sinCache;

    public override IEnumerable<OperatorSetIdProto> Opsets =>
    [
        new OperatorSetIdProto { Domain = "", Version = 14 },
        new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 },
    ];

    public override string Norm(string x, string weight, string name)
    {
        var output = name + "/output_0";
        G.AddNode("SimplifiedLayerNormalization", name + "/LayerNorm", [x, weight], [output], "",
            Float("epsilon", Spec.RmsNormEpsilon), Int("axis", -1), Int("stash_type", 1));
        return output;
    }

    public override (string Normed, string? Sum) SkipNorm(string residual, string x, string weight, string name, bool needSum)
    {
        var normed = name + "/output_0";
        var sum = needSum ? name + "/output_3" : null;
        string[] outputs = sum is null ? [normed] : [normed, "", "", sum];
        G.AddNode("SkipSimplifiedLayerNormalization", name + "/SkipLayerNorm", [residual, x, weight], outputs, MicrosoftDomain,
            Float("epsilon", Spec.RmsNormEpsilon));
        return (normed, sum);
    }

    public override string Attention(int layer, string q, string k, string v, string maskBias)
    {
        var prefix = $"/model/layers.{layer}/attn";
        var queries = Rotate(q, prefix + "/q_rotary");
        var keys = Rotate(k, prefix + "/k_rotary");
        var name = prefix + "/MultiHeadAttention";
        var output = name + "/output_0";
        var attributes = new[] { Int("num_heads", Spec.Heads), Float("scale", Scale) };
        if (Spec.KvHeads == Spec.Heads)
        {
            G.AddNode("MultiHeadAttention", name,
                [queries, keys, v, "", "", maskBias, DecoderNames.PastKey(layer), DecoderNames.PastValue(layer)],
                [output, DecoderNames.PresentKey(layer), DecoderNames.PresentValue(layer)], MicrosoftDomain, attributes);
            return output;
        }

        var presentKey = AppendPast(DecoderNames.PastKey(layer), SplitHeads(keys, Spec.KvHeads, prefix + "/k_heads"),
            DecoderNames.PresentKey(layer), prefix + "/present_key/Concat");
        var presentValue = AppendPast(DecoderNames.PastValue(layer), SplitHeads(v, Spec.KvHeads, prefix + "/v_heads"),
            DecoderNames.PresentValue(layer), prefix + "/present_value/Concat");
        var allKeys = MergeHeads(RepeatKv(presentKey, prefix + "/repeat_key"), prefix + "/key_merge");
        var allValues = MergeHeads(RepeatKv(presentValue, prefix + "/repeat_value"), prefix + "/value_merge");
        G.AddNode("MultiHeadAttention", name, [queries, allKeys, allValues, "", "", maskBias], [output], MicrosoftDomain, attributes);
        return output;
    }

    private string Rotate(string x, string name)
    {
        if (_cosCache is null)
        {
            var (cos, sin) = RotaryTables.Half(Spec.Context, Spec.HeadSize, Spec.RopeTheta);
            _cosCache = G.Weight("cos_cache", cos, Spec.Context, Spec.HeadSize / 2);
            _sinCache = G.Weight("sin_cache", sin, Spec.Context, Spec.HeadSize / 2);
        }

        return G.Node("RotaryEmbedding", name + "/RotaryEmbedding", [x, DecoderNames.PositionIds, _cosCache, _sinCache!], MicrosoftDomain,
            Int("interleaved", 0), Int("num_heads", 0), Int("rotary_embedding_dim", 0));
    }
}
