using System.Buffers;
using System.Text;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// The tokenizer.json decoder chain compiled ahead of time into the UTF-8 bytes each token contributes,
/// so that decoding (whole or streamed) is byte concatenation, one UTF-8 decode, and a leading strip.
/// Every chain decoder models use is per-token except three things handled here: Metaspace (and a
/// missing decoder) treat the first token differently, hence <see cref="_firstPieces"/>; Strip after
/// Fuse trims the whole text's start, hence <see cref="LeadingStripChar"/>/<see cref="LeadingStripCount"/>.
/// Invalid UTF-8 renders as U+FFFD per maximal invalid subsequence (the ByteLevel decoder's rule);
/// the reference ByteFallback decoder writes one U+FFFD per byte token instead, a difference only
/// for byte sequences no model should produce.
/// </summary>
internal sealed class DecodingPlan
{
    private readonly byte[][] _pieces;
    private readonly byte[][]? _firstPieces;
    private readonly bool[] _skippable;

    public DecodingPlan(byte[][] pieces, byte[][]? firstPieces, bool[] skippable, char leadingStripChar, int leadingStripCount)
    {
        _pieces = pieces;
        _firstPieces = firstPieces;
        _skippable = skippable;
        LeadingStripChar = leadingStripChar;
        LeadingStripCount = leadingStripCount;
        MaxPieceLength = pieces.Concat(firstPieces ?? []).Max(p => p.Length);
    }

    public char LeadingStripChar { get; }

    public int LeadingStripCount { get; }

    public int MaxPieceLength { get; }

    /// <summary>The bytes of a token at <paramref name="position"/> among the tokens decoded, or null when it is skipped.</summary>
    public byte[]? Piece(int id, int position, bool skipSpecialTokens)
    {
        if ((uint)id >= (uint)_pieces.Length || (skipSpecialTokens && _skippable[id]))
        {
            return null;
        }

        return position == 0 && _firstPieces is not null ? _firstPieces[id] : _pieces[id];
    }

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var writer = new ArrayBufferWriter<byte>(Math.Max(16, ids.Length * 4));
        var position = 0;
        foreach (var id in ids)
        {
            if (Piece(id, position, skipSpecialTokens) is { } piece)
            {
                writer.Write(piece);
                position++;
            }
        }

        var text = Encoding.UTF8.GetString(writer.WrittenSpan);
        var strip = 0;
        while (strip < LeadingStripCount && strip < text.Length && text[strip] == LeadingStripChar)
        {
            strip++;
        }

        return strip == 0 ? text : text[strip..];
    }
}
