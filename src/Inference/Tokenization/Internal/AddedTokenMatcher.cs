namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// Finds added tokens in text, leftmost-longest, honouring lstrip/rstrip (the token absorbs adjacent
/// whitespace) and single_word (the match must not touch word characters), as the reference does.
/// Candidates are indexed by first character, longest first, so a scan costs one lookup per char.
/// </summary>
internal sealed class AddedTokenMatcher
{
    private readonly Dictionary<char, (string Pattern, AddedToken Token)[]> _byFirstChar;

    public AddedTokenMatcher(IEnumerable<(string Pattern, AddedToken Token)> tokens)
    {
        _byFirstChar = tokens
            .Where(t => t.Pattern.Length > 0)
            .GroupBy(t => t.Pattern[0])
            .ToDictionary(g => g.Key, g => g.OrderByDescending(t => t.Pattern.Length).ToArray());
    }

    public bool IsEmpty => _byFirstChar.Count == 0;

    /// <summary>Splits <paramref name="text"/> into plain pieces (id -1) and matched added tokens.</summary>
    public void Split(string text, int offset, List<Segment> output)
    {
        if (IsEmpty)
        {
            output.Add(new Segment(text, -1, offset));
            return;
        }

        var plainStart = 0;
        var position = 0;
        while (position < text.Length)
        {
            if (!TryMatchAt(text, position, out var token, out var length))
            {
                position++;
                continue;
            }

            var start = position;
            var end = position + length;
            position = end;
            if (token.SingleWord && !IsWordBoundary(text, start, end))
            {
                continue;
            }

            if (token.LeftStrip)
            {
                while (start > plainStart && char.IsWhiteSpace(text[start - 1]))
                {
                    start--;
                }
            }

            if (token.RightStrip)
            {
                while (end < text.Length && char.IsWhiteSpace(text[end]))
                {
                    end++;
                }

                position = end;
            }

            if (start > plainStart)
            {
                output.Add(new Segment(text[plainStart..start], -1, offset + plainStart));
            }

            output.Add(new Segment(token.Content, token.Id, offset + start));
            plainStart = end;
        }

        if (plainStart < text.Length)
        {
            output.Add(new Segment(text[plainStart..], -1, offset + plainStart));
        }
    }

    private bool TryMatchAt(string text, int position, out AddedToken token, out int length)
    {
        if (_byFirstChar.TryGetValue(text[position], out var candidates))
        {
            var rest = text.AsSpan(position);
            foreach (var (pattern, candidate) in candidates)
            {
                if (rest.StartsWith(pattern, StringComparison.Ordinal))
                {
                    token = candidate;
                    length = pattern.Length;
                    return true;
                }
            }
        }

        token = null!;
        length = 0;
        return false;
    }

    private static bool IsWordBoundary(string text, int start, int end) =>
        (start == 0 || !IsWordChar(text[start - 1])) && (end == text.Length || !IsWordChar(text[end]));

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>A piece of input: plain text (<see cref="TokenId"/> -1) or one added token.</summary>
    internal readonly record struct Segment(string Text, int TokenId, int Offset);
}
