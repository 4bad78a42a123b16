using Chat.ModelBuilder.Onnx;
using static Chat.ModelBuilder.Decoder.Internal.OnnxGraphBuilder;
using DataType = Chat.ModelBuilder.Onnx.TensorProto.Types.DataType;

namespace Chat.ModelBuilder.Decoder.Internal;

/// <summary>
/// Builds the Llama decoder graph with the reference builder's input/output names and weight names:
/// embedding, per layer RMSNorm, Q/K/V, rotary, attention with KV cache, O, residual, RMSNorm,
/// SwiGLU MLP, residual; final RMSNorm and LM head.
/// </summary>
internal static class DecoderGraph
{
    public const string Batch = "batch_size";
    public const string Sequence = "sequence_length";
    public const string PastSequence = "past_sequence_length";
    public const string TotalSequence = "total_sequence_length";

    public static (ModelProto Model, OnnxGraphBuilder Graph) Build(DecoderSpec spec, DecoderWeights weights, int vocab)
    {
        var g = new OnnxGraphBuilder();
        var ops = DecoderGraphOps.Create(g, spec);
        DeclareInputsOutputs(g, spec, vocab);

        var embedding = g.Weight("model.embed_tokens.weight", weights.Embedding, vocab, spec.Hidden);
        var hidden = g.Node("Gather", "/model/embed_tokens/Gather", [embedding, DecoderNames.InputIds], "", Int("axis", 0));
        var maskBias = BuildMaskBias(g);

        var residual = hidden;
        var normed = ops.Norm(hidden, g.Weight("model.layers.0.input_layernorm.weight", weights.Layers[0].InputNorm, spec.Hidden),
            "/model/layers.0/input_layernorm");
        int h = spec.Hidden, q = spec.Heads * spec.HeadSize, kv = spec.KvHeads * spec.HeadSize, ff = spec.Intermediate;
        for (var i = 0; i < spec.Layers; i++)
        {
            var w = weights.Layers[i];
            var layer = $"model.layers.{i}";
            var path = $"/model/layers.{i}";
            var queries = Project(g, normed, $"{layer}.attn.q_proj", $"{path}/attn/q_proj", w.QProj, h, q);
            var keys = Project(g, normed, $"{layer}.attn.k_proj", $"{path}/attn/k_proj", w.KProj, h, kv);
            var values = Project(g, normed, $"{layer}.attn.v_proj", $"{path}/attn/v_proj", w.VProj, h, kv);
            var attention = ops.Attention(i, queries, keys, values, maskBias);
            var output = Project(g, attention, $"{layer}.attn.o_proj", $"{path}/attn/o_proj", w.OProj, q, h);

            var postNorm = g.Weight($"{layer}.post_attention_layernorm.weight", w.PostAttentionNorm, h);
            (normed, var afterAttention) = ops.SkipNorm(residual, output, postNorm, $"{path}/post_attention_layernorm", needSum: true);

            var gate = Project(g, normed, $"{layer}.mlp.gate_proj", $"{path}/mlp/gate_proj", w.GateProj, h, ff);
            var up = Project(g, normed, $"{layer}.mlp.up_proj", $"{path}/mlp/up_proj", w.UpProj, h, ff);
            var sigmoid = g.Node("Sigmoid", $"{path}/mlp/act_fn/Sigmoid", [gate]);
            var silu = g.Node("Mul", $"{path}/mlp/act_fn/Mul", [gate, sigmoid]);
            var gated = g.Node("Mul", $"{path}/mlp/Mul", [silu, up]);
            var down = Project(g, gated, $"{layer}.mlp.down_proj", $"{path}/mlp/down_proj", w.DownProj, ff, h);

            // The next layer's input norm (or the final norm) fuses with this layer's second residual add.
            var last = i == spec.Layers - 1;
            var nextNorm = last
                ? g.Weight($"model.layers.{spec.Layers}.final_norm_layernorm.weight", weights.FinalNorm, h)
                : g.Weight($"model.layers.{i + 1}.input_layernorm.weight", weights.Layers[i + 1].InputNorm, h);
            var nextPath = last ? $"/model/layers.{spec.Layers}/final_norm_layernorm" : $"/model/layers.{i + 1}/input_layernorm";
            (normed, var afterMlp) = ops.SkipNorm(afterAttention!, down, nextNorm, nextPath, needSum: !last);
            residual = afterMlp!;
        }

        string head;
        if (weights.LmHead is null)
        {
            // Tied: the embedding transposed once at load (ORT folds it), so the file holds it once.
            head = g.Node("Transpose", "/lm_head/embed_tokens/Transpose", [embedding], "", Ints("perm", 1, 0));
        }
        else
        {
            head = g.Weight("lm_head.MatMul.weight", weights.LmHead, h, vocab);
        }

        g.AddNode("MatMul", "/lm_head/MatMul", [normed, head], [DecoderNames.Logits]);

        var model = new ModelProto { IrVersion = 8, ProducerName = "chat-model-builder", ProducerVersion = "1" };
        model.OpsetImport.AddRange(ops.Opsets);
        return (model, g);
    }

    private static string Project(OnnxGraphBuilder g, string x, string weightPrefix, string path, float[] weight, int rows, int columns)
    {
        var w = g.Weight(weightPrefix + ".MatMul.weight", weight, rows, columns);
        return g.Node("MatMul", path + "/MatMul", [x, w]);
    }

    /// <summary>
    /// Additive mask [B,1,S,T]: 0 where key j may be seen by query i (j &lt;= past + i and
    /// attention_mask[b, j] != 0), float.MinValue elsewhere. Combining the two conditions with And
    /// before the Where keeps the bias finite, so fully masked rows (left padding) softmax to a
    /// uniform row instead of NaN, and padded rows never poison later layers.
    /// </summary>
    private static string BuildMaskBias(OnnxGraphBuilder g)
    {
        const string path = "/model/attn_mask_reformat";
        var zero = g.Int64(true, 0);
        var one = g.Int64(true, 1);
        var maskShape = g.Node("Shape", path + "/mask_shape/Shape", [DecoderNames.AttentionMask]);
        var total = g.Node("Gather", path + "/total_length/Gather", [maskShape, one], "", Int("axis", 0));
        var idsShape = g.Node("Shape", path + "/ids_shape/Shape", [DecoderNames.InputIds]);
        var current = g.Node("Gather", path + "/sequence_length/Gather", [idsShape, one], "", Int("axis", 0));
        var past = g.Node("Sub", path + "/past_length/Sub", [total, current]);
        var queryPositions = g.Node("Range", path + "/query_positions/Range", [past, total, one]);
        var keyPositions = g.Node("Range", path + "/key_positions/Range", [zero, total, one]);
        var queryColumn = g.Node("Unsqueeze", path + "/query_positions/Unsqueeze", [queryPositions, g.Int64s(1)]);
        var causal = g.Node("LessOrEqual", path + "/causal/LessOrEqual", [keyPositions, queryColumn]);
        var present = g.Node("Cast", path + "/padding/Cast", [DecoderNames.AttentionMask], "", Int("to", (long)DataType.Bool));
        var presentKeys = g.Node("Unsqueeze", path + "/padding/Unsqueeze", [present, g.Int64s(1, 2)]);
        var allowed = g.Node("And", path + "/allowed/And", [causal, presentKeys]);
        return g.Node("Where", path + "/bias/Where", [allowed, g.Float(0f), g.Float(float.MinValue)]);
    }

    private static void DeclareInputsOutputs(OnnxGraphBuilder g, DecoderSpec spec, int vocab)
    {
        g.Input(DecoderNames.InputIds, DataType.Int64, Batch, Sequence);
        g.Input(DecoderNames.AttentionMask, DataType.Int64, Batch, TotalSequence);
        g.Input(DecoderNames.PositionIds, DataType.Int64, Batch, Sequence);
        for (var i = 0; i < spec.Layers; i++)
        {
            g.Input(DecoderNames.PastKey(i), DataType.Float, Batch, spec.KvHeads, PastSequence, spec.HeadSize);
            g.Input(DecoderNames.PastValue(i), DataType.Float, Batch, spec.KvHeads, PastSequence, spec.HeadSize);
        }

        g.Output(DecoderNames.Logits, DataType.Float, Batch, Sequence, vocab);
        for (var i = 0; i < spec.Layers; i++)
        {
            g.Output(DecoderNames.PresentKey(i), DataType.Float, Batch, spec.KvHeads, TotalSequence, spec.HeadSize);
            g.Output(DecoderNames.PresentValue(i), DataType.Float, Batch, spec.KvHeads, TotalSequence, spec.HeadSize);
        }
    }
}
