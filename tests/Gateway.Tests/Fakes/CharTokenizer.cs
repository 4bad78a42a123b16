using Chat.Inference.Tokenization;

namespace Chat.Gateway.Tests.Fakes;

/// <summary>One token per UTF-16 char (id = char code); id 0 is end-of-sequence.</summary>
internal sealed class CharTokenizer : ITokenizer
{
    public int VocabSize => 0x10000;

    public int? BosTokenId => null;

    public int? EosTokenId => 0;

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        var ids = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            ids[i] = text[i];
        }

        return ids;
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true)
    {
        var chars = new char[ids.Length];
        var count = 0;
        foreach (var id in ids)
        {
            if (id != 0 || !skipSpecialTokens)
            {
                chars[count++] = (char)id;
            }
        }

        return new string(chars, 0, count);
    }

    public ITokenStreamDecoder CreateStreamDecoder(bool skipSpecialTokens = true) => new Decoder(this, skipSpecialTokens);

    public string? IdToToken(int id) => (uint)id < 0x10000 ? ((char)id).ToString() : null;

    public int? TokenToId(string token) => token.Length == 1 ? token[0] : null;

    private sealed class Decoder(CharTokenizer tokenizer, bool skipSpecialTokens) : ITokenStreamDecoder
    {
        public string Append(int tokenId) => tokenizer.Decode([tokenId], skipSpecialTokens);

        public string Flush() => "";
    }
}
