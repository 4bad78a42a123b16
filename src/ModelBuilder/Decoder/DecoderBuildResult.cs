using Chat.ModelBuilder.Tokenizer;

namespace Chat.ModelBuilder.Decoder;

/// <summary>What <see cref="DecoderModelWriter"/> wrote: the folder, the spec, the resolved vocabulary and tokenizer.</summary>
public sealed record DecoderBuildResult(string Directory, DecoderSpec Spec, int Vocab, ChatTokenizerModel Tokenizer)
{
    /// <summary>Trainable parameters (the rotary tables are not parameters).</summary>
    public long ParameterCount
    {
        get
        {
            long h = Spec.Hidden, q = Spec.Heads * Spec.HeadSize, kv = Spec.KvHeads * Spec.HeadSize, ff = Spec.Intermediate;
            var perLayer = (2 * h) + (h * q) + (2 * h * kv) + (q * h) + (3 * h * ff);
            return (Vocab * h) + (Spec.Layers * perLayer) + h + (Spec.Tied ? 0 : h * Vocab);
        }
    }
}
