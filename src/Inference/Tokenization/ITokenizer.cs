namespace Chat.Inference.Tokenization;

/// <summary>
/// Text to token ids and back, loaded from a model folder's tokenizer.json + tokenizer_config.json.
/// Implementations are immutable and thread-safe; per-stream state lives in <see cref="ITokenStreamDecoder"/>.
/// </summary>
public interface ITokenizer
{
    /// <summary>Number of ids the tokenizer can produce (model vocabulary plus added tokens).</summary>
    int VocabSize { get; }

    /// <summary>The beginning-of-sequence token id from tokenizer_config.json, if any.</summary>
    int? BosTokenId { get; }

    /// <summary>The end-of-sequence token id from tokenizer_config.json, if any.</summary>
    int? EosTokenId { get; }

    /// <summary>
    /// Encodes text. Added/special tokens written literally in the text (for example a chat
    /// template's <c>&lt;|im_start|&gt;</c>) become their ids. With <paramref name="addSpecialTokens"/>
    /// the tokenizer's own post-processing applies (a BOS token where tokenizer_config asks for it).
    /// </summary>
    int[] Encode(string text, bool addSpecialTokens = false);

    /// <summary>Decodes ids to text; special tokens are left out when <paramref name="skipSpecialTokens"/>.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true);

    /// <summary>A decoder for one stream of generated ids, emitting text as soon as it is complete.</summary>
    ITokenStreamDecoder CreateStreamDecoder(bool skipSpecialTokens = true);

    /// <summary>The token string of an id (as in tokenizer.json), or null when out of range.</summary>
    string? IdToToken(int id);

    /// <summary>The id of a token string (vocabulary or added token), or null when unknown.</summary>
    int? TokenToId(string token);
}
