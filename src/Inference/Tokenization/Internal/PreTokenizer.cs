using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// The tokenizer.json pre-tokenizers decoder models use (ByteLevel, Split, Metaspace, Digits, Sequence):
/// each splits a piece of normalized text into smaller pieces, the last stage yielding BPE words.
/// </summary>
internal abstract partial class PreTokenizer
{
    private static readonly ConcurrentDictionary<string, Regex> CompiledPatterns = new(StringComparer.Ordinal);

    /// <param name="piece">Text to split.</param>
    /// <param name="isFirst">The piece starts the whole input (for Metaspace's prepend_scheme "first").</param>
    /// <param name="output">Receives the pieces in order.</param>
    public abstract void Split(string piece, bool isFirst, List<string> output);

    /// <summary>
    /// Compiles a tokenizer.json regex once per process. Oniguruma and .NET agree on the constructs these
    /// patterns use (\p{L}, \p{N}, (?i:), lookahead); one difference: .NET matches UTF-16 units, so a
    /// letter outside the BMP is not \p{L} here and falls into the "other symbols" branch instead.
    /// </summary>
    public static Regex CompilePattern(string pattern) =>
        CompiledPatterns.GetOrAdd(pattern, static p => new Regex(p, RegexOptions.Compiled | RegexOptions.CultureInvariant));

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Gpt2Pattern();

    /// <summary>Splits around regex matches with one of the tokenizers' delimiter behaviours.</summary>
    private static void SplitByMatches(string text, Regex regex, SplitBehavior behavior, bool invert, List<string> output)
    {
        var pieces = new List<(int Start, int Length, bool IsMatch)>();
        var position = 0;
        foreach (var match in regex.EnumerateMatches(text))
        {
            if (match.Length == 0)
            {
                continue;
            }

            if (match.Index > position)
            {
                pieces.Add((position, match.Index - position, invert));
            }

            pieces.Add((match.Index, match.Length, !invert));
            position = match.Index + match.Length;
        }

        if (position < text.Length)
        {
            pieces.Add((position, text.Length - position, invert));
        }

        ApplyBehavior(text, pieces, behavior, output);
    }

    private static void ApplyBehavior(string text, List<(int Start, int Length, bool IsDelimiter)> pieces, SplitBehavior behavior, List<string> output)
    {
        switch (behavior)
        {
            case SplitBehavior.Isolated:
                foreach (var (start, length, _) in pieces)
                {
                    output.Add(text.Substring(start, length));
                }

                break;
            case SplitBehavior.Removed:
                foreach (var (start, length, isDelimiter) in pieces)
                {
                    if (!isDelimiter)
                    {
                        output.Add(text.Substring(start, length));
                    }
                }

                break;
            default:
                MergeDelimiters(text, pieces, behavior, output);
                break;
        }
    }

    private static void MergeDelimiters(string text, List<(int Start, int Length, bool IsDelimiter)> pieces, SplitBehavior behavior, List<string> output)
    {
        var spanStart = -1;
        var spanEnd = 0;
        var previousWasDelimiter = false;
        foreach (var (start, length, isDelimiter) in pieces)
        {
            var joinsCurrent = behavior switch
            {
                // As the reference: only the first of adjacent delimiters merges into its neighbour.
                SplitBehavior.MergedWithPrevious => isDelimiter && !previousWasDelimiter && spanStart >= 0,
                SplitBehavior.MergedWithNext => previousWasDelimiter && !isDelimiter,
                _ => isDelimiter && previousWasDelimiter && spanStart >= 0,
            };
            if (!joinsCurrent && spanStart >= 0)
            {
                output.Add(text[spanStart..spanEnd]);
                spanStart = -1;
            }

            if (spanStart < 0)
            {
                spanStart = start;
            }

            spanEnd = start + length;
            previousWasDelimiter = isDelimiter;
        }

        if (spanStart >= 0)
        {
            output.Add(text[spanStart..spanEnd]);
        }
    }

    public enum SplitBehavior
    {
        Removed,
        Isolated,
        MergedWithPrevious,
        MergedWithNext,
        Contiguous,
    }

    /// <summary>GPT-2 byte-level: optional prefix space, optional GPT-2 regex split, bytes to the visible alphabet.</summary>
    public sealed class ByteLevel(bool addPrefixSpace, bool useRegex) : PreTokenizer
    {
        public override void Split(string piece, bool isFirst, List<string> output)
        {
            if (addPrefixSpace && !piece.StartsWith(' '))
            {
                piece = " " + piece;
            }

            if (!useRegex)
            {
                output.Add(ByteLevelAlphabet.Map(piece));
                return;
            }

            foreach (var match in Gpt2Pattern().EnumerateMatches(piece))
            {
                output.Add(ByteLevelAlphabet.Map(piece.AsSpan(match.Index, match.Length)));
            }
        }
    }

    public sealed class RegexSplit(Regex regex, SplitBehavior behavior, bool invert) : PreTokenizer
    {
        public override void Split(string piece, bool isFirst, List<string> output) => SplitByMatches(piece, regex, behavior, invert, output);
    }

    public sealed class Digits(bool individual) : PreTokenizer
    {
        public override void Split(string piece, bool isFirst, List<string> output)
        {
            var pieces = new List<(int Start, int Length, bool IsDelimiter)>();
            var i = 0;
            while (i < piece.Length)
            {
                var start = i;
                var isDigit = char.IsAsciiDigit(piece[i]);
                i++;
                if (!isDigit || !individual)
                {
                    while (i < piece.Length && char.IsAsciiDigit(piece[i]) == isDigit)
                    {
                        i++;
                    }
                }

                pieces.Add((start, i - start, isDigit));
            }

            ApplyBehavior(piece, pieces, SplitBehavior.Isolated, output);
        }
    }

    /// <summary>SentencePiece-style: spaces become the replacement character, with an optional leading one.</summary>
    public sealed class Metaspace(char replacement, PrependScheme scheme, bool split) : PreTokenizer
    {
        public override void Split(string piece, bool isFirst, List<string> output)
        {
            var text = piece.Replace(' ', replacement);
            var prepend = scheme == PrependScheme.Always || (scheme == PrependScheme.First && isFirst);
            if (prepend && !text.StartsWith(replacement))
            {
                text = replacement + text;
            }

            if (!split)
            {
                output.Add(text);
                return;
            }

            var start = 0;
            for (var i = 1; i < text.Length; i++)
            {
                if (text[i] == replacement)
                {
                    output.Add(text[start..i]);
                    start = i;
                }
            }

            if (start < text.Length)
            {
                output.Add(text[start..]);
            }
        }
    }

    public enum PrependScheme
    {
        Always,
        First,
        Never,
    }

    public sealed class Sequence(IReadOnlyList<PreTokenizer> steps) : PreTokenizer
    {
        public override void Split(string piece, bool isFirst, List<string> output)
        {
            var current = new List<string> { piece };
            var next = new List<string>();
            foreach (var step in steps)
            {
                next.Clear();
                for (var i = 0; i < current.Count; i++)
                {
                    step.Split(current[i], isFirst && i == 0, next);
                }

                (current, next) = (next, current);
            }

            output.AddRange(current);
        }
    }
}
