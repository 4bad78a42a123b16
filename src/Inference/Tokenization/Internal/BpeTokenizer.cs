namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// A tokenizer.json BPE pipeline: added tokens are cut out first (non-normalized ones on the raw text,
/// normalized ones after normalization, as the reference does), then each remaining piece is
/// normalized, pre-tokenized and merged word by word. Immutable; safe for concurrent use.
/// </summary>
internal sealed class BpeTokenizer : ITokenizer
{
    private readonly AddedTokenMatcher _rawMatcher;
    private readonly AddedTokenMatcher _normalizedMatcher;
    private readonly TextNormalizer? _normalizer;
    private readonly PreTokenizer? _preTokenizer;
    private readonly BpeModel _model;
    private readonly DecodingPlan _decoding;
    private readonly string?[] _idToToken;
    private readonly Dictionary<string, int> _addedTokenIds;
    private readonly int[] _prefixIds;
    private readonly int[] _suffixIds;

    public BpeTokenizer(
        BpeModel model,
        IReadOnlyList<AddedToken> addedTokens,
        TextNormalizer? normalizer,
        PreTokenizer? preTokenizer,
        DecodingPlan decoding,
        string?[] idToToken,
        int[] prefixIds,
        int[] suffixIds,
        int? bosTokenId,
        int? eosTokenId)
    {
        _model = model;
        _normalizer = normalizer;
        _preTokenizer = preTokenizer;
        _decoding = decoding;
        _idToToken = idToToken;
        _prefixIds = prefixIds;
        _suffixIds = suffixIds;
        BosTokenId = bosTokenId;
        EosTokenId = eosTokenId;
        _addedTokenIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in addedTokens)
        {
            _addedTokenIds[token.Content] = token.Id;
        }

        _rawMatcher = new AddedTokenMatcher(addedTokens.Where(t => !t.Normalized || normalizer is null).Select(t => (t.Content, t)));
        _normalizedMatcher = new AddedTokenMatcher(addedTokens.Where(t => t.Normalized && normalizer is not null).Select(t => (normalizer!.Normalize(t.Content), t)));
    }

    public int VocabSize => _idToToken.Length;

    public int? BosTokenId { get; }

    public int? EosTokenId { get; }

    public int[] Encode(string text, bool addSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens)
        {
            ids.AddRange(_prefixIds);
        }

        var segments = new List<AddedTokenMatcher.Segment>();
        _rawMatcher.Split(text, 0, segments);
        var normalizedSegments = new List<AddedTokenMatcher.Segment>();
        var words = new List<string>();
        foreach (var segment in segments)
        {
            if (segment.TokenId >= 0)
            {
                ids.Add(segment.TokenId);
                continue;
            }

            var normalized = _normalizer?.Normalize(segment.Text) ?? segment.Text;
            normalizedSegments.Clear();
            _normalizedMatcher.Split(normalized, segment.Offset, normalizedSegments);
            foreach (var piece in normalizedSegments)
            {
                if (piece.TokenId >= 0)
                {
                    ids.Add(piece.TokenId);
                    continue;
                }

                words.Clear();
                if (_preTokenizer is null)
                {
                    words.Add(piece.Text);
                }
                else
                {
                    _preTokenizer.Split(piece.Text, piece.Offset == 0, words);
                }

                foreach (var word in words)
                {
                    _model.EncodeWord(word, ids);
                }
            }
        }

        if (addSpecialTokens)
        {
            ids.AddRange(_suffixIds);
        }

        return ids.ToArray();
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens = true) => _decoding.Decode(ids, skipSpecialTokens);

    public ITokenStreamDecoder CreateStreamDecoder(bool skipSpecialTokens = true) => new StreamDecoder(_decoding, skipSpecialTokens);

    public string? IdToToken(int id) => (uint)id < (uint)_idToToken.Length ? _idToToken[id] : null;

    public int? TokenToId(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_addedTokenIds.TryGetValue(token, out var added))
        {
            return added;
        }

        return _model.Vocabulary.TryGetValue(token, out var id) ? id : null;
    }
}
