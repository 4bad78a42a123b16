using Chat.ModelBuilder.Onnx;
using static Chat.ModelBuilder.Decoder.Internal.OnnxGraphBuilder;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// The parts of a Llama block whose operators differ between graph styles: normalisation, rotary
/// embedding and the attention core. Projections, MLP and the mask are shared by <see cref="DecoderGraph"/>.
/// </summary>
internal abstract class DecoderGraphOps(OnnxGraphBuilder graph, DecoderSpec spec)
{
    protected OnnxGraphBuilder G { get; } = graph;

    protected DecoderSpec Spec { get; } = spec;

    public abstract string Norm(string x, string weight, string name);

    /// <summary>Normalises residual + x; returns the sum too unless this is the final norm.</summary>
    public abstract (string Normed, string? Sum) SkipNorm(string residual, string x, string weight, string name, bool needSum);

    /// <summary>
    /// Attention over the projected q [B,S,heads*H], k and v [B,S,kv_heads*H] with the additive mask
    /// [B,1,S,T]; writes present.{layer}.key/value and returns [B,S,heads*H].
    /// </summary>
    public abstract string Attention(int layer, string q, string k, string v, string maskBias);

    /// <summary>[B,S,heads*H] to [B,heads,S,H].</summary>
    protected string SplitHeads(string x, int heads, string name)
    {
        var reshaped = G.Node("Reshape", name + "/Reshape", [x, G.Int64s(0, 0, heads, Spec.HeadSize)]);
        return G.Node("Transpose", name + "/Transpose", [reshaped], "", Ints("perm", 0, 2, 1, 3));
    }

    /// <summary>present [B,kv_heads,T,H] to [B,heads,T,H]: each KV head serves heads/kv_heads query heads in turn.</summary>
    protected string RepeatKv(string x, string name)
    {
        var groups = Spec.Heads / Spec.KvHeads;
        if (groups == 1)
        {
            return x;
        }

        var unsqueezed = G.Node("Unsqueeze", name + "/Unsqueeze", [x, G.Int64s(2)]);
        var expanded = G.Node("Expand", name + "/Expand", [unsqueezed, G.Int64s(1, 1, groups, 1, 1)]);
        return G.Node("Reshape", name + "/Reshape", [expanded, G.Int64s(0, Spec.Heads, -1, Spec.HeadSize)]);
    }

    /// <summary>past [B,kv_heads,P,H] ++ new [B,kv_heads,S,H] along the sequence: the graph output present.{layer}.*.</summary>
    protected string AppendPast(string past, string current, string present, string name)
    {
        G.AddNode("Concat", name, [past, current], [present], "", Int("axis", 2));
        return present;
    }

    /// <summary>[B,heads,S,H] back to [B,S,heads*H].</summary>
    protected string MergeHeads(string x, string name)
    {
        var transposed = G.Node("Transpose", name + "/Transpose", [x], "", Ints("perm", 0, 2, 1, 3));
        return G.Node("Reshape", name + "/Reshape", [transposed, G.Int64s(0, 0, Spec.Heads * Spec.HeadSize)]);
    }

    protected float Scale => 1f / MathF.Sqrt(Spec.HeadSize);

    public static DecoderGraphOps Create(OnnxGraphBuilder graph, DecoderSpec spec) => spec.Graph switch
    {
        DecoderGraphStyle.Standard => new StandardDecoderGraphOps(graph, spec),
        DecoderGraphStyle.Contrib => new ContribDecoderGraphOps(graph, spec),
        _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Graph, "unknown graph style"),
    };

    public abstract IEnumerable<OperatorSetIdProto> Opsets { get; }
}
