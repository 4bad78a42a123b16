using System.Text;
using Chat.ModelBuilder.Tokenizer.Internal;

namespace Chat.ModelBuilder.Tokenizer;

/// <summary>
/// A byte-level BPE vocabulary with ChatML special tokens. Ids: 0-255 the bytes in byte order,
/// then learned merges, then &lt;|endoftext|&gt;, &lt;|im_start|&gt;, &lt;|im_end|&gt;, then reserved
/// special tokens up to the model's vocabulary size (the Llama 3 way of covering ids the merges
/// did not reach, so every logit the model can emit decodes).
/// </summary>
public sealed class ChatTokenizerModel
{
    public const string EndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const int SpecialCount = 3;
    public const int MinimumVocab = 256 + SpecialCount;

    private ChatTokenizerModel(IReadOnlyList<string> tokens, IReadOnlyList<(string Left, string Right)> merges, int firstSpecial)
    {
        Tokens = tokens;
        Merges = merges;
        EndOfTextId = firstSpecial;
        ImStartId = firstSpecial + 1;
        ImEndId = firstSpecial + 2;
    }

    /// <summary>Token strings by id, byte-level encoded (GPT-2 alphabet) except the specials.</summary>
    public IReadOnlyList<string> Tokens { get; }

    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    public int EndOfTextId { get; }

    public int ImStartId { get; }

    public int ImEndId { get; }

    /// <summary>The first id past the specials; ids from here on are reserved fillers.</summary>
    public int FirstReservedId => ImEndId + 1;

    /// <summary>
    /// Learns merges from <paramref name="corpus"/> (null: none) until <paramref name="vocab"/> ids are
    /// used or no pair repeats, then pads with reserved tokens to exactly <paramref name="vocab"/>.
    /// A null vocab keeps every merge seen at least twice and no reserved tokens.
    /// </summary>
    public static ChatTokenizerModel Create(string? corpus, int? vocab)
    {
        if (vocab < MinimumVocab)
        {
            throw new ArgumentException($"vocab must be at least {MinimumVocab} (256 bytes + {SpecialCount} special tokens), got {vocab}.");
        }

        var learnable = (vocab ?? int.MaxValue) - SpecialCount;
        var merges = string.IsNullOrEmpty(corpus) ? [] : BpeTrainer.Train(corpus, learnable);
        var tokens = new List<string>(vocab ?? 256 + merges.Count + SpecialCount);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var b = 0; b < 256; b++)
        {
            var token = ByteLevelAlphabet.Char((byte)b).ToString();
            tokens.Add(token);
            seen.Add(token);
        }

        foreach (var (left, right) in merges)
        {
            // Two merge paths can build the same string; BPE keeps both merges but one id.
            if (seen.Add(left + right))
            {
                tokens.Add(left + right);
            }
        }

        var firstSpecial = tokens.Count;
        tokens.AddRange([EndOfText, ImStart, ImEnd]);
        for (var reserved = 0; tokens.Count < vocab; reserved++)
        {
            tokens.Add($"<|reserved_{reserved}|>");
        }

        return new ChatTokenizerModel(tokens, merges, firstSpecial);
    }

    /// <summary>Reads a UTF-8 corpus file, naming it when it is missing or empty.</summary>
    public static string ReadCorpus(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"corpus file '{path}' not found.", path);
        }

        var text = File.ReadAllText(path, Encoding.UTF8);
        if (text.Length == 0)
        {
            throw new ArgumentException($"corpus file '{path}' is empty.");
        }

        return text;
    }

    /// <summary>Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json.</summary>
    public void WriteFiles(string directory, int modelMaxLength) => TokenizerFilesWriter.Write(this, directory, modelMaxLength);
}
