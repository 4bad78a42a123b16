namespace Chat.ModelBuilder.Decoder;

/// <summary>
/// Shape and build options of a Llama-style decoder. Equal specs build byte-identical folders.
/// </summary>
/// <param name="Vocab">Model vocabulary; null takes the tokenizer's own size (256 bytes + merges + specials).</param>
/// <param name="CorpusPath">Text file the byte-level BPE merges are learned from; null gives a pure byte-level tokenizer.</param>
public sealed record DecoderSpec(
    int Layers,
    int Hidden,
    int Heads,
    int KvHeads,
    int Intermediate,
    int? Vocab,
    int Context,
    ulong Seed = 1,
    bool Tied = true,
    DecoderGraphStyle Graph = DecoderGraphStyle.Standard,
    string? CorpusPath = null,
    float RmsNormEpsilon = 1e-5f,
    float RopeTheta = 10000f)
{
    public int HeadSize => Hidden / Heads;

    /// <summary>Throws when the shape cannot form a valid decoder, naming the offending option.</summary>
    public void Validate()
    {
        Positive(Layers, "layers");
        Positive(Hidden, "hidden");
        Positive(Heads, "heads");
        Positive(KvHeads, "kv-heads");
        Positive(Intermediate, "intermediate");
        Positive(Context, "context");
        if (Vocab is { } vocab)
        {
            Positive(vocab, "vocab");
        }

        if (Hidden % Heads != 0)
        {
            throw new ArgumentException($"hidden ({Hidden}) must be a multiple of heads ({Heads}).");
        }

        if (Heads % KvHeads != 0)
        {
            throw new ArgumentException($"heads ({Heads}) must be a multiple of kv-heads ({KvHeads}).");
        }

        if (HeadSize % 2 != 0)
        {
            throw new ArgumentException($"head size hidden/heads ({HeadSize}) must be even for rotary embeddings.");
        }

        if (!(RmsNormEpsilon > 0) || !(RopeTheta > 0))
        {
            throw new ArgumentException("RMSNorm epsilon and rope theta must be positive.");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{name} must be positive, got {value}.");
        }
    }
}
