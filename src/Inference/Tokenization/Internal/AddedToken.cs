namespace Chat.Inference.Tokenization.Internal;

/// <summary>An entry of tokenizer.json's added_tokens, with the flags that govern how it is matched.</summary>
internal sealed record AddedToken(
    int Id,
    string Content,
    bool Special,
    bool Normalized,
    bool LeftStrip,
    bool RightStrip,
    bool SingleWord);
