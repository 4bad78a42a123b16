namespace Chat.Inference.Tokenization;

/// <summary>
/// Incremental detokenizer for one generated sequence. Never splits a multi-byte UTF-8 character
/// (bytes of byte-fallback or byte-level tokens are held until the character is complete) and
/// renders SentencePiece word-boundary markers as spaces the way a full decode would.
/// Not thread-safe: one instance per sequence.
/// </summary>
public interface ITokenStreamDecoder
{
    /// <summary>Appends one token id and returns the text that became complete (empty when none).</summary>
    string Append(int tokenId);

    /// <summary>Returns any text still held back (an incomplete character is rendered as U+FFFD).</summary>
    string Flush();
}
