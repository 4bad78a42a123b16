using System.Text;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Tests.Fakes;

/// <summary>
/// Hand-written tokenizer for engine tests: token id n is the two letters
/// ('a' + n % 26, 'a' + n / 26 % 26), so text is predictable and every token boundary is visible.
/// <see cref="Gate"/>, when set, makes each streamed token wait for a permit: tests use it to hold
/// the scheduler's loop at a known step.
/// </summary>
internal sealed class PairTokenizer(int vocabSize) : ITokenizer
{
    public int VocabSize { get; } = vocabSize;

    public int? BosTokenId => null;

    public int? EosTokenId => null;

    public SemaphoreSlim? Gate { get; set; }

    /// <summary>When set, streaming this token id throws (a detokenizer fault inside the loop).</summary>
    public int? FailOn { get; set; }

    public static string TextOf(int id) => string.Concat((char)('a' + (id % 26)), (char)('a' + (id / 26 % 26)));

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new int[text.Length / 2];
        for (var i = 0; i < ids.Length; i++)
        {
            var id = (text[2 * i] - 'a') + (26 * (text[(2 * i) + 1] - 'a'));
            ids[i] = id % VocabSize;
        }

        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true)
    {
        var text = new StringBuilder();
        foreach (var id in ids)
        {
            text.Append(TextOf(id));
        }

        return text.ToString();
    }

    public ITokenStreamDecoder CreateStreamDecoder(bool skipSpecialTokens = true) => new StreamDecoder(this);

    public string? IdToToken(int id) => id >= 0 && id < VocabSize ? TextOf(id) : null;

    public int? TokenToId(string token) => token.Length == 2 ? Encode(token)[0] : null;

    private sealed class StreamDecoder(PairTokenizer owner) : ITokenStreamDecoder
    {
        public string Append(int tokenId)
        {
            owner.Gate?.Wait(TimeSpan.FromSeconds(30));
            return tokenId == owner.FailOn ? throw new InvalidOperationException($"cannot decode {tokenId}") : TextOf(tokenId);
        }

        public string Flush() => "";
    }
}
