using System.Globalization;
using System.Text;

namespace Chat.Inference.Templates.Internal;

/// <summary>
/// Splits template source into text and tag tokens. Whitespace follows transformers' chat-template
/// environment: trim_blocks and lstrip_blocks on, plus the explicit "-" markers ({%- -%} {{- -}}).
/// </summary>
internal sealed class JinjaLexer
{
    private static readonly string[] Operators =
    [
        "**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "=",
    ];

    private readonly string _source;
    private readonly List<JinjaToken> _tokens = new();
    private int _position;

    private JinjaLexer(string source) => _source = source;

    public static List<JinjaToken> Tokenize(string source)
    {
        var lexer = new JinjaLexer(source);
        lexer.Run();
        return lexer._tokens;
    }

    private void Run()
    {
        var stripNextText = false;
        var trimNextNewline = false;
        while (_position < _source.Length)
        {
            var open = FindTagOpen(_position);
            var textEnd = open < 0 ? _source.Length : open;
            var text = _source[_position..textEnd];
            var textStart = _position;
            var atLineStart = textStart == 0;
            if (stripNextText)
            {
                var stripped = text.TrimStart();
                atLineStart = text.Length > stripped.Length && text[text.Length - stripped.Length - 1] == '\n';
                text = stripped;
            }
            else if (trimNextNewline && (text.StartsWith('\n') || text.StartsWith("\r\n", StringComparison.Ordinal)))
            {
                text = text[(text.IndexOf('\n') + 1)..];
                atLineStart = true;
            }

            if (open < 0)
            {
                AddText(text, textStart);
                break;
            }

            var kind = _source[open + 1];
            var marker = open + 2 < _source.Length ? _source[open + 2] : '\0';
            if (marker == '-')
            {
                text = text.TrimEnd();
            }
            else if (marker != '+' && kind != '{')
            {
                text = StripLineIndent(text, atLineStart);
            }

            AddText(text, textStart);
            _position = open + 2 + (marker is '-' or '+' ? 1 : 0);
            bool rightStrip;
            if (kind == '#')
            {
                rightStrip = SkipComment(open);
            }
            else
            {
                rightStrip = LexTag(kind == '{', open);
            }

            stripNextText = rightStrip;
            trimNextNewline = !rightStrip && kind != '{';
        }

        var (line, column) = LineColumn(_source.Length);
        _tokens.Add(new JinjaToken(JinjaTokenKind.End, string.Empty, line, column));
    }

    private int FindTagOpen(int from)
    {
        for (var i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
        {
            if (_source[i + 1] is '{' or '%' or '#')
            {
                return i;
            }
        }

        return -1;
    }

    // lstrip_blocks: spaces and tabs between a line start and a block tag are dropped. Text that
    // follows a tag on the same line (no newline of its own) is not at a line start.
    private static string StripLineIndent(string text, bool atLineStart)
    {
        var lineStart = text.LastIndexOf('\n') + 1;
        if (lineStart == 0 && !atLineStart)
        {
            return text;
        }

        for (var i = lineStart; i < text.Length; i++)
        {
            if (text[i] is not (' ' or '\t'))
            {
                return text;
            }
        }

        return text[..lineStart];
    }

    private void AddText(string text, int at)
    {
        if (text.Length > 0)
        {
            var (line, column) = LineColumn(at);
            _tokens.Add(new JinjaToken(JinjaTokenKind.Text, text, line, column));
        }
    }

    private bool SkipComment(int open)
    {
        var close = _source.IndexOf("#}", _position, StringComparison.Ordinal);
        if (close < 0)
        {
            throw Error(open, "unterminated comment: '{#' has no matching '#}'");
        }

        _position = close + 2;
        return _source[close - 1] == '-' && close - 1 >= open + 2;
    }

    private bool LexTag(bool isVariable, int open)
    {
        var (line, column) = LineColumn(open);
        _tokens.Add(new JinjaToken(isVariable ? JinjaTokenKind.VariableStart : JinjaTokenKind.BlockStart, isVariable ? "{{" : "{%", line, column));
        var close = isVariable ? "}}" : "%}";
        while (true)
        {
            SkipWhitespace();
            if (_position >= _source.Length)
            {
                throw Error(open, $"unterminated tag: '{(isVariable ? "{{" : "{%")}' has no matching '{close}'");
            }

            var rightStrip = _source[_position] == '-' && string.CompareOrdinal(_source, _position + 1, close, 0, 2) == 0;
            if (rightStrip || string.CompareOrdinal(_source, _position, close, 0, 2) == 0)
            {
                (line, column) = LineColumn(_position);
                _tokens.Add(new JinjaToken(isVariable ? JinjaTokenKind.VariableEnd : JinjaTokenKind.BlockEnd, close, line, column));
                _position += rightStrip ? 3 : 2;
                return rightStrip;
            }

            LexExpressionToken();
        }
    }

    private void SkipWhitespace()
    {
        while (_position < _source.Length && char.IsWhiteSpace(_source[_position]))
        {
            _position++;
        }
    }

    private void LexExpressionToken()
    {
        var start = _position;
        var (line, column) = LineColumn(start);
        var c = _source[_position];
        if (c is '\'' or '"')
        {
            _tokens.Add(new JinjaToken(JinjaTokenKind.String, ReadString(c), line, column));
            return;
        }

        if (char.IsAsciiDigit(c))
        {
            while (_position < _source.Length && (char.IsAsciiDigit(_source[_position]) || _source[_position] == '_'))
            {
                _position++;
            }

            var isFloat = _position + 1 < _source.Length && _source[_position] == '.' && char.IsAsciiDigit(_source[_position + 1]);
            if (isFloat)
            {
                _position++;
                while (_position < _source.Length && char.IsAsciiDigit(_source[_position]))
                {
                    _position++;
                }
            }

            var number = _source[start.._position].Replace("_", string.Empty, StringComparison.Ordinal);
            _tokens.Add(new JinjaToken(isFloat ? JinjaTokenKind.Float : JinjaTokenKind.Integer, number, line, column));
            return;
        }

        if (char.IsLetter(c) || c == '_')
        {
            while (_position < _source.Length && (char.IsLetterOrDigit(_source[_position]) || _source[_position] == '_'))
            {
                _position++;
            }

            _tokens.Add(new JinjaToken(JinjaTokenKind.Name, _source[start.._position], line, column));
            return;
        }

        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(_source, _position, op, 0, op.Length) == 0)
            {
                _position += op.Length;
                _tokens.Add(new JinjaToken(JinjaTokenKind.Operator, op, line, column));
                return;
            }
        }

        throw Error(start, $"unexpected character '{c}'");
    }

    private string ReadString(char quote)
    {
        var start = _position;
        _position++;
        var builder = new StringBuilder();
        while (_position < _source.Length && _source[_position] != quote)
        {
            var c = _source[_position++];
            if (c != '\\' || _position >= _source.Length)
            {
                builder.Append(c);
                continue;
            }

            var escaped = _source[_position++];
            switch (escaped)
            {
                case 'n': builder.Append('\n'); break;
                case 't': builder.Append('\t'); break;
                case 'r': builder.Append('\r'); break;
                case '\\' or '\'' or '"': builder.Append(escaped); break;
                case 'u' when _position + 4 <= _source.Length:
                    builder.Append((char)int.Parse(_source.AsSpan(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    _position += 4;
                    break;
                default: builder.Append('\\').Append(escaped); break;
            }
        }

        if (_position >= _source.Length)
        {
            throw Error(start, "unterminated string literal");
        }

        _position++;
        return builder.ToString();
    }

    private (int Line, int Column) LineColumn(int offset)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset && i < _source.Length; i++)
        {
            if (_source[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        return (line, offset - lineStart + 1);
    }

    private ChatTemplateException Error(int offset, string message)
    {
        var (line, column) = LineColumn(offset);
        return new ChatTemplateException($"Chat template syntax error at line {line}, column {column}: {message}.");
    }
}
