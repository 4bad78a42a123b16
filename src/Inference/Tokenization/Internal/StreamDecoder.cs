using System.Text;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// Incremental decoding over a <see cref="DecodingPlan"/>: token bytes go through one stateful UTF-8
/// decoder, which holds an incomplete character until its last byte arrives and, on flush, renders it
/// as U+FFFD, exactly as decoding the whole byte string at once would. The only allocation per token
/// is the returned string.
/// </summary>
internal sealed class StreamDecoder : ITokenStreamDecoder
{
    private readonly DecodingPlan _plan;
    private readonly bool _skipSpecialTokens;
    private readonly Decoder _utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetDecoder();
    private readonly char[] _chars;
    private int _position;
    private int _stripRemaining;

    public StreamDecoder(DecodingPlan plan, bool skipSpecialTokens)
    {
        _plan = plan;
        _skipSpecialTokens = skipSpecialTokens;
        _stripRemaining = plan.LeadingStripCount;

        // A piece yields at most one char per byte plus what 3 held-back bytes can add.
        _chars = new char[plan.MaxPieceLength + 8];
    }

    public string Append(int tokenId)
    {
        var piece = _plan.Piece(tokenId, _position, _skipSpecialTokens);
        if (piece is null)
        {
            return string.Empty;
        }

        _position++;
        var count = _utf8.GetChars(piece, _chars, flush: false);
        return Emit(count);
    }

    public string Flush()
    {
        var count = _utf8.GetChars(ReadOnlySpan<byte>.Empty, _chars, flush: true);
        return Emit(count);
    }

    private string Emit(int count)
    {
        var start = 0;
        while (_stripRemaining > 0 && start < count)
        {
            if (_chars[start] != _plan.LeadingStripChar)
            {
                _stripRemaining = 0;
                break;
            }

            start++;
            _stripRemaining--;
        }

        return count == start ? string.Empty : new string(_chars, start, count - start);
    }
}
