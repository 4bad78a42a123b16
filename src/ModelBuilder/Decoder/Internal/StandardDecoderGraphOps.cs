using Chat.ModelBuilder.Onnx;
using static Chat.ModelBuilder.Decoder.Internal.OnnxGraphBuilder;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>Default-domain operators only (opset 17): RMSNorm, rotary and attention spelled out.</summary>
internal sealed class StandardDecoderGraphOps(OnnxGraphBuilder graph, DecoderSpec spec) : DecoderGraphOps(graph, spec)
{
    private string? _cos;
    private string? _sin;

    public override IEnumerable<OperatorSetIdProto> Opsets => [new OperatorSetIdProto { Domain = "", Version = 17 }];

    public override string Norm(string x, string weight, string name)
    {
        var squared = G.Node("Mul", name + "/Pow", [x, x]);
        var mean = G.Node("ReduceMean", name + "/ReduceMean", [squared], "", Ints("axes", -1), Int("keepdims", 1));
        var shifted = G.Node("Add", name + "/AddEps", [mean, G.Float(Spec.RmsNormEpsilon)]);
        var root = G.Node("Sqrt", name + "/Sqrt", [shifted]);
        var inverse = G.Node("Reciprocal", name + "/Reciprocal", [root]);
        var normalised = G.Node("Mul", name + "/MulInvRms", [x, inverse]);
        return G.Node("Mul", name + "/MulWeight", [normalised, weight]);
    }

    public override (string Normed, string? Sum) SkipNorm(string residual, string x, string weight, string name, bool needSum)
    {
        var sum = G.Node("Add", name + "/ResidualAdd", [residual, x]);
        return (Norm(sum, weight, name), sum);
    }

    public override string Attention(int layer, string q, string k, string v, string maskBias)
    {
        var prefix = $"/model/layers.{layer}/attn";
        var queries = Rotate(SplitHeads(q, Spec.Heads, prefix + "/q_heads"), prefix + "/q_rotary");
        var keys = Rotate(SplitHeads(k, Spec.KvHeads, prefix + "/k_heads"), prefix + "/k_rotary");
        var values = SplitHeads(v, Spec.KvHeads, prefix + "/v_heads");
        var presentKey = AppendPast(DecoderNames.PastKey(layer), keys, DecoderNames.PresentKey(layer), prefix + "/present_key/Concat");
        var presentValue = AppendPast(DecoderNames.PastValue(layer), values, DecoderNames.PresentValue(layer), prefix + "/present_value/Concat");
        var allKeys = RepeatKv(presentKey, prefix + "/repeat_key");
        var allValues = RepeatKv(presentValue, prefix + "/repeat_value");

        var keysT = G.Node("Transpose", prefix + "/key_transpose/Transpose", [allKeys], "", Ints("perm", 0, 1, 3, 2));
        var scores = G.Node("MatMul", prefix + "/qk/MatMul", [queries, keysT]);
        var scaled = G.Node("Mul", prefix + "/qk/Scale", [scores, G.Float(Scale)]);
        var masked = G.Node("Add", prefix + "/qk/AddMask", [scaled, maskBias]);
        var probabilities = G.Node("Softmax", prefix + "/Softmax", [masked], "", Int("axis", -1));
        var context = G.Node("MatMul", prefix + "/pv/MatMul", [probabilities, allValues]);
        return MergeHeads(context, prefix + "/merge_heads");
    }

    /// <summary>x * cos + rotate_half(x) * sin on [B,heads,S,H], rotate_half(x) = [-x2, x1].</summary>
    private string Rotate(string x, string name)
    {
        EnsureRotaryTables();
        var half = Spec.HeadSize / 2;
        var first = G.Node("Slice", name + "/Slice_1", [x, G.Int64s(0), G.Int64s(half), G.Int64s(3)]);
        var second = G.Node("Slice", name + "/Slice_2", [x, G.Int64s(half), G.Int64s(Spec.HeadSize), G.Int64s(3)]);
        var negated = G.Node("Neg", name + "/Neg", [second]);
        var rotated = G.Node("Concat", name + "/Concat", [negated, first], "", Int("axis", -1));
        var withCos = G.Node("Mul", name + "/MulCos", [x, _cos!]);
        var withSin = G.Node("Mul", name + "/MulSin", [rotated, _sin!]);
        return G.Node("Add", name + "/Add", [withCos, withSin]);
    }

    /// <summary>cos/sin rows of position_ids, [B,1,S,H], gathered once and shared by all layers.</summary>
    private void EnsureRotaryTables()
    {
        if (_cos is not null)
        {
            return;
        }

        var (cosHalf, sinHalf) = RotaryTables.Half(Spec.Context, Spec.HeadSize, Spec.RopeTheta);
        var cosCache = G.Weight("cos_cache", RotaryTables.Full(cosHalf, Spec.Context, Spec.HeadSize), Spec.Context, Spec.HeadSize);
        var sinCache = G.Weight("sin_cache", RotaryTables.Full(sinHalf, Spec.Context, Spec.HeadSize), Spec.Context, Spec.HeadSize);
        var cos = G.Node("Gather", "/model/rotary_emb/cos/Gather", [cosCache, DecoderNames.PositionIds], "", Int("axis", 0));
        var sin = G.Node("Gather", "/model/rotary_emb/sin/Gather", [sinCache, DecoderNames.PositionIds], "", Int("axis", 0));
        _cos = G.Node("Unsqueeze", "/model/rotary_emb/cos/Unsqueeze", [cos, G.Int64s(1)]);
        _sin = G.Node("Unsqueeze", "/model/rotary_emb/sin/Unsqueeze", [sin, G.Int64s(1)]);
    }
}
