using Chat.ModelBuilder.Decoder.Internal;

namespace Chat.ModelBuilder.Decoder;

/// <summary>
/// All parameters of a decoder. Random initialisation is one source; a trainer hands its own arrays
/// to <see cref="DecoderModelWriter"/> through the same type.
/// </summary>
public sealed class DecoderWeights
{
    /// <summary>Standard deviation of the random projections and embeddings (Hugging Face's initializer_range).</summary>
    public const float DefaultInitStd = 0.02f;

    /// <summary>Token embedding, row-major [vocab, hidden].</summary>
    public required float[] Embedding { get; init; }

    public required IReadOnlyList<DecoderLayerWeights> Layers { get; init; }

    public required float[] FinalNorm { get; init; }

    /// <summary>Separate LM head [hidden, vocab]; null when tied to <see cref="Embedding"/>.</summary>
    public float[]? LmHead { get; init; }

    /// <summary>
    /// Deterministic random weights: normal(0, std) projections and embeddings, ones for the norms.
    /// The draw order (embedding, layers in order, final norm, LM head) is part of the format:
    /// changing it changes every built model.
    /// </summary>
    public static DecoderWeights CreateRandom(DecoderSpec spec, int vocab, float std = DefaultInitStd)
    {
        spec.Validate();
        var random = new SplitMix64Normal(spec.Seed);
        int h = spec.Hidden, q = spec.Heads * spec.HeadSize, kv = spec.KvHeads * spec.HeadSize, ff = spec.Intermediate;
        var embedding = random.Next(checked(vocab * h), std);
        var layers = new DecoderLayerWeights[spec.Layers];
        for (var i = 0; i < layers.Length; i++)
        {
            layers[i] = new DecoderLayerWeights
            {
                InputNorm = Ones(h),
                QProj = random.Next(h * q, std),
                KProj = random.Next(h * kv, std),
                VProj = random.Next(h * kv, std),
                OProj = random.Next(q * h, std),
                PostAttentionNorm = Ones(h),
                GateProj = random.Next(h * ff, std),
                UpProj = random.Next(h * ff, std),
                DownProj = random.Next(ff * h, std),
            };
        }

        return new DecoderWeights
        {
            Embedding = embedding,
            Layers = layers,
            FinalNorm = Ones(h),
            LmHead = spec.Tied ? null : random.Next(checked(h * vocab), std),
        };
    }

    /// <summary>Throws when an array does not have the length the spec and vocabulary demand.</summary>
    public void Validate(DecoderSpec spec, int vocab)
    {
        int h = spec.Hidden, q = spec.Heads * spec.HeadSize, kv = spec.KvHeads * spec.HeadSize, ff = spec.Intermediate;
        Check(Embedding, (long)vocab * h, "embedding");
        if (Layers.Count != spec.Layers)
        {
            throw new ArgumentException($"weights have {Layers.Count} layers, the spec {spec.Layers}.");
        }

        for (var i = 0; i < Layers.Count; i++)
        {
            var layer = Layers[i];
            var prefix = $"layers.{i}.";
            Check(layer.InputNorm, h, prefix + "input_layernorm");
            Check(layer.QProj, (long)h * q, prefix + "q_proj");
            Check(layer.KProj, (long)h * kv, prefix + "k_proj");
            Check(layer.VProj, (long)h * kv, prefix + "v_proj");
            Check(layer.OProj, (long)q * h, prefix + "o_proj");
            Check(layer.PostAttentionNorm, h, prefix + "post_attention_layernorm");
            Check(layer.GateProj, (long)h * ff, prefix + "gate_proj");
            Check(layer.UpProj, (long)h * ff, prefix + "up_proj");
            Check(layer.DownProj, (long)ff * h, prefix + "down_proj");
        }

        Check(FinalNorm, h, "final_norm");
        if (spec.Tied != LmHead is null)
        {
            throw new ArgumentException(spec.Tied
                ? "the spec ties the LM head to the embedding but the weights carry a separate lm_head."
                : "the spec asks for a separate LM head but the weights have none.");
        }

        if (LmHead is not null)
        {
            Check(LmHead, (long)h * vocab, "lm_head");
        }
    }

    private static float[] Ones(int length)
    {
        var values = new float[length];
        Array.Fill(values, 1f);
        return values;
    }

    private static void Check(float[] values, long expected, string name)
    {
        if (values.LongLength != expected)
        {
            throw new ArgumentException($"weight '{name}' has {values.LongLength} values, expected {expected}.");
        }
    }
}
