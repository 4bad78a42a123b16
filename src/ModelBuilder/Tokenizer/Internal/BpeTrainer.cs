using System.Text;
using System.Text.RegularExpressions;

namespace Chat.ModelBuilder.Tokenizer.Internal;

/// <summary>
/// Byte-level BPE training in its textbook form: split the corpus with the GPT-2 pre-tokenizer
/// pattern, then repeatedly merge the most frequent adjacent pair. Ties go to the pair whose merged
/// token sorts first (ordinal), so the result depends on the corpus alone.
/// </summary>
internal static partial class BpeTrainer
{
    /// <summary>Merges as pairs of byte-level token strings, most important first.</summary>
    public static IReadOnlyList<(string Left, string Right)> Train(string corpus, int maxTokens)
    {
        var words = CountWords(corpus);
        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++)
        {
            vocabulary.Add(ByteLevelAlphabet.Char((byte)b).ToString());
        }

        var merges = new List<(string, string)>();
        while (vocabulary.Count < maxTokens)
        {
            var best = BestPair(words);
            if (best is null)
            {
                break;
            }

            var (left, right) = best.Value;
            merges.Add((left, right));
            vocabulary.Add(left + right);
            foreach (var word in words)
            {
                Merge(word.Symbols, left, right);
            }
        }

        return merges;
    }

    /// <summary>The most frequent pair seen at least twice; a pair seen once teaches nothing.</summary>
    private static (string Left, string Right)? BestPair(List<Word> words)
    {
        var counts = new Dictionary<(string, string), long>();
        foreach (var word in words)
        {
            for (var i = 0; i + 1 < word.Symbols.Count; i++)
            {
                var pair = (word.Symbols[i], word.Symbols[i + 1]);
                counts[pair] = counts.GetValueOrDefault(pair) + word.Count;
            }
        }

        (string, string)? best = null;
        long bestCount = 1;
        foreach (var (pair, count) in counts)
        {
            if (count > bestCount || (count == bestCount && best is not null && Compare(pair, best.Value) < 0))
            {
                best = pair;
                bestCount = count;
            }
        }

        return best;
    }

    private static int Compare((string Left, string Right) a, (string Left, string Right) b)
    {
        var merged = string.CompareOrdinal(a.Left + a.Right, b.Left + b.Right);
        return merged != 0 ? merged : string.CompareOrdinal(a.Left, b.Left);
    }

    private static void Merge(List<string> symbols, string left, string right)
    {
        for (var i = 0; i + 1 < symbols.Count; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                symbols[i] = left + right;
                symbols.RemoveAt(i + 1);
            }
        }
    }

    private static List<Word> CountWords(string corpus)
    {
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (Match match in PreTokenizer().Matches(corpus))
        {
            var encoded = ByteLevelAlphabet.Encode(Encoding.UTF8.GetBytes(match.Value));
            counts[encoded] = counts.GetValueOrDefault(encoded) + 1;
        }

        return counts.Select(pair => new Word(pair.Key.Select(c => c.ToString()).ToList(), pair.Value)).ToList();
    }

    /// <summary>The GPT-2 pattern the tokenizers ByteLevel pre-tokenizer applies with use_regex.</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex PreTokenizer();

    private sealed record Word(List<string> Symbols, long Count);
}
