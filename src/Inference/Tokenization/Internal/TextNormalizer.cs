using System.Text;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>The tokenizer.json normalizers decoder models use: Prepend, Replace, NFC and Sequence.</summary>
internal abstract class TextNormalizer
{
    public abstract string Normalize(string text);

    public sealed class Prepend(string prefix) : TextNormalizer
    {
        // The reference leaves empty pieces empty (nothing between two added tokens gains a prefix).
        public override string Normalize(string text) => text.Length == 0 ? text : prefix + text;
    }

    public sealed class Replace(string pattern, string content) : TextNormalizer
    {
        public override string Normalize(string text) => text.Replace(pattern, content, StringComparison.Ordinal);
    }

    public sealed class Nfc : TextNormalizer
    {
        public override string Normalize(string text) => text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
    }

    public sealed class Sequence(IReadOnlyList<TextNormalizer> steps) : TextNormalizer
    {
        public override string Normalize(string text)
        {
            foreach (var step in steps)
            {
                text = step.Normalize(text);
            }

            return text;
        }
    }
}
