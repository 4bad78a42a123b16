using System.Globalization;

namespace Chat.Inference.Templates.Internal;

/// <summary>Recursive-descent parser for the Jinja subset chat templates use, with Jinja's precedence.</summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> UnsupportedTags = ["macro", "call", "filter", "raw", "include", "import", "from", "extends", "block", "with", "autoescape"];

    private readonly List<JinjaToken> _tokens;
    private int _index;

    private JinjaParser(List<JinjaToken> tokens) => _tokens = tokens;

    private JinjaToken Current => _tokens[_index];

    public static List<Stmt> Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var body = parser.ParseBody([], out _);
        return body;
    }

    /// <summary>Parses statements until a block tag whose keyword is in <paramref name="stops"/> (consumed, returned in <paramref name="stop"/>).</summary>
    private List<Stmt> ParseBody(HashSet<string> stops, out string stop)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    if (stops.Count > 0)
                    {
                        throw Error(token, $"unexpected end of template; expected {string.Join(" or ", stops.Select(s => "{% " + s + " %}"))}");
                    }

                    stop = string.Empty;
                    return body;
                case JinjaTokenKind.Text:
                    _index++;
                    body.Add(new TextStmt(token.Value));
                    break;
                case JinjaTokenKind.VariableStart:
                    _index++;
                    body.Add(new PrintStmt(ParseExpression()));
                    Expect(JinjaTokenKind.VariableEnd, "}}");
                    break;
                case JinjaTokenKind.BlockStart:
                    _index++;
                    var keyword = Expect(JinjaTokenKind.Name, "a tag name");
                    if (stops.Contains(keyword.Value))
                    {
                        stop = keyword.Value;
                        return body;
                    }

                    body.Add(ParseTag(keyword));
                    break;
                default:
                    throw Error(token, $"unexpected {token}");
            }
        }
    }

    private Stmt ParseTag(JinjaToken keyword)
    {
        switch (keyword.Value)
        {
            case "if":
                return ParseIf();
            case "for":
                return ParseFor();
            case "set":
                return ParseSet(keyword);
            case "break" or "continue":
                Expect(JinjaTokenKind.BlockEnd, "%}");
                return new LoopControlStmt(keyword.Value == "break" ? Flow.Break : Flow.Continue);
            case "generation":
                // transformers' marker for assistant-token masks; it renders its body unchanged.
                Expect(JinjaTokenKind.BlockEnd, "%}");
                var inner = ParseBody(["endgeneration"], out _);
                Expect(JinjaTokenKind.BlockEnd, "%}");
                return new IfStmt([(new LiteralExpr(keyword.Line, keyword.Column, true), inner)], null);
            default:
                throw Error(keyword, UnsupportedTags.Contains(keyword.Value)
                    ? $"the '{keyword.Value}' tag is not supported by this template engine"
                    : $"unknown tag '{keyword.Value}' (or a closing tag without its opening one)");
        }
    }

    private IfStmt ParseIf()
    {
        var branches = new List<(Expr, List<Stmt>)>();
        var condition = ParseExpression();
        while (true)
        {
            Expect(JinjaTokenKind.BlockEnd, "%}");
            var body = ParseBody(["elif", "else", "endif"], out var stop);
            branches.Add((condition, body));
            if (stop == "elif")
            {
                condition = ParseExpression();
                continue;
            }

            List<Stmt>? otherwise = null;
            if (stop == "else")
            {
                Expect(JinjaTokenKind.BlockEnd, "%}");
                otherwise = ParseBody(["endif"], out _);
            }

            Expect(JinjaTokenKind.BlockEnd, "%}");
            return new IfStmt(branches, otherwise);
        }
    }

    private ForStmt ParseFor()
    {
        var targets = new List<string> { Expect(JinjaTokenKind.Name, "a loop variable").Value };
        while (Accept(JinjaTokenKind.Operator, ","))
        {
            targets.Add(Expect(JinjaTokenKind.Name, "a loop variable").Value);
        }

        ExpectName("in");
        var iterable = ParseExpression(allowConditional: false);
        var filter = AcceptName("if") ? ParseExpression(allowConditional: false) : null;
        if (Current.Kind == JinjaTokenKind.Name && Current.Value == "recursive")
        {
            throw Error(Current, "recursive loops are not supported by this template engine");
        }

        Expect(JinjaTokenKind.BlockEnd, "%}");
        var body = ParseBody(["else", "endfor"], out var stop);
        List<Stmt>? otherwise = null;
        if (stop == "else")
        {
            Expect(JinjaTokenKind.BlockEnd, "%}");
            otherwise = ParseBody(["endfor"], out _);
        }

        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new ForStmt(targets, iterable, filter, body, otherwise);
    }

    private Stmt ParseSet(JinjaToken keyword)
    {
        var name = Expect(JinjaTokenKind.Name, "a variable name").Value;
        string? attribute = null;
        if (Accept(JinjaTokenKind.Operator, "."))
        {
            attribute = Expect(JinjaTokenKind.Name, "an attribute name").Value;
        }

        if (attribute is null && Accept(JinjaTokenKind.BlockEnd, "%}"))
        {
            var body = ParseBody(["endset"], out _);
            Expect(JinjaTokenKind.BlockEnd, "%}");
            return new SetBlockStmt(name, body);
        }

        Expect(JinjaTokenKind.Operator, "=");
        var value = ParseExpression();
        Expect(JinjaTokenKind.BlockEnd, "%}");
        return new SetStmt(name, attribute, value, keyword.Line, keyword.Column);
    }

    private Expr ParseExpression(bool allowConditional = true)
    {
        var start = Current;
        var value = ParseBinary(0);
        if (allowConditional && AcceptName("if"))
        {
            var condition = ParseBinary(0);
            var otherwise = AcceptName("else") ? ParseExpression() : null;
            return new ConditionalExpr(start.Line, start.Column, condition, value, otherwise);
        }

        return value;
    }

    // Precedence levels, loosest first: or, and, not, comparison, + -, ~, * / // %, **.
    private Expr ParseBinary(int level)
    {
        var start = Current;
        switch (level)
        {
            case 0 or 1:
                var word = level == 0 ? "or" : "and";
                var left = ParseBinary(level + 1);
                while (AcceptName(word))
                {
                    left = new BinaryExpr(start.Line, start.Column, word, left, ParseBinary(level + 1));
                }

                return left;
            case 2:
                return AcceptName("not") ? new NotExpr(start.Line, start.Column, ParseBinary(2)) : ParseBinary(3);
            case 3:
                var compared = ParseBinary(4);
                while (true)
                {
                    if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
                    {
                        var op = _tokens[_index++].Value;
                        compared = new BinaryExpr(start.Line, start.Column, op, compared, ParseBinary(4));
                    }
                    else if (AcceptName("in"))
                    {
                        compared = new BinaryExpr(start.Line, start.Column, "in", compared, ParseBinary(4));
                    }
                    else if (Current.Kind == JinjaTokenKind.Name && Current.Value == "not" && _tokens[_index + 1] is { Kind: JinjaTokenKind.Name, Value: "in" })
                    {
                        _index += 2;
                        compared = new BinaryExpr(start.Line, start.Column, "not in", compared, ParseBinary(4));
                    }
                    else
                    {
                        return compared;
                    }
                }

            case 4 or 5 or 6 or 7:
                string[] ops = level switch { 4 => ["+", "-"], 5 => ["~"], 6 => ["*", "/", "//", "%"], _ => ["**"] };
                var result = ParseBinary(level + 1);
                while (Current.Kind == JinjaTokenKind.Operator && ops.Contains(Current.Value))
                {
                    var op = _tokens[_index++].Value;
                    result = new BinaryExpr(start.Line, start.Column, op, result, ParseBinary(level + 1));
                }

                return result;
            default:
                return ParseUnary();
        }
    }

    private Expr ParseUnary()
    {
        var start = Current;
        if (Accept(JinjaTokenKind.Operator, "-"))
        {
            return ParseFilters(new NegateExpr(start.Line, start.Column, ParseUnary()));
        }

        Accept(JinjaTokenKind.Operator, "+");
        return ParseFilters(ParsePostfix(ParsePrimary()));
    }

    private Expr ParsePrimary()
    {
        var token = Current;
        _index++;
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(token.Line, token.Column, true),
                    "false" or "False" => new LiteralExpr(token.Line, token.Column, false),
                    "none" or "None" => new LiteralExpr(token.Line, token.Column, null),
                    _ => new NameExpr(token.Line, token.Column, token.Value),
                };
            case JinjaTokenKind.String:
                var text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += _tokens[_index++].Value;
                }

                return new LiteralExpr(token.Line, token.Column, text);
            case JinjaTokenKind.Integer:
                return new LiteralExpr(token.Line, token.Column, long.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Float:
                return new LiteralExpr(token.Line, token.Column, double.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Operator when token.Value == "(":
                var inner = ParseExpression();
                if (Current.Kind == JinjaTokenKind.Operator && Current.Value == ",")
                {
                    var items = new List<Expr> { inner };
                    while (Accept(JinjaTokenKind.Operator, ",") && !(Current.Kind == JinjaTokenKind.Operator && Current.Value == ")"))
                    {
                        items.Add(ParseExpression());
                    }

                    inner = new ListExpr(token.Line, token.Column, items);
                }

                Expect(JinjaTokenKind.Operator, ")");
                return inner;
            case JinjaTokenKind.Operator when token.Value == "[":
                var list = ParseSequence("]", () => ParseExpression());
                return new ListExpr(token.Line, token.Column, list);
            case JinjaTokenKind.Operator when token.Value == "{":
                var pairs = ParseSequence("}", () =>
                {
                    var key = ParseExpression();
                    Expect(JinjaTokenKind.Operator, ":");
                    return (key, ParseExpression());
                });
                return new DictExpr(token.Line, token.Column, pairs);
            default:
                throw Error(token, $"expected an expression, found {token}");
        }
    }

    private Expr ParsePostfix(Expr target)
    {
        while (true)
        {
            var token = Current;
            if (Accept(JinjaTokenKind.Operator, "."))
            {
                var member = Current;
                _index++;
                target = member.Kind switch
                {
                    JinjaTokenKind.Name => new AttributeExpr(token.Line, token.Column, target, member.Value),
                    JinjaTokenKind.Integer => new SubscriptExpr(token.Line, token.Column, target, new LiteralExpr(member.Line, member.Column, long.Parse(member.Value, CultureInfo.InvariantCulture))),
                    _ => throw Error(member, $"expected an attribute name after '.', found {member}"),
                };
            }
            else if (Accept(JinjaTokenKind.Operator, "["))
            {
                target = ParseSubscript(token, target);
            }
            else if (Accept(JinjaTokenKind.Operator, "("))
            {
                var (args, kwargs) = ParseArguments();
                target = new CallExpr(token.Line, token.Column, target, args, kwargs);
            }
            else
            {
                return target;
            }
        }
    }

    private Expr ParseSubscript(JinjaToken token, Expr target)
    {
        Expr? Part(params string[] terminators) =>
            Current.Kind == JinjaTokenKind.Operator && terminators.Contains(Current.Value) ? null : ParseExpression();

        var start = Part(":", "]");
        if (Accept(JinjaTokenKind.Operator, "]"))
        {
            return new SubscriptExpr(token.Line, token.Column, target, start ?? throw Error(token, "empty subscript"));
        }

        Expect(JinjaTokenKind.Operator, ":");
        var stop = Part(":", "]");
        var step = Accept(JinjaTokenKind.Operator, ":") ? Part("]") : null;
        Expect(JinjaTokenKind.Operator, "]");
        return new SliceExpr(token.Line, token.Column, target, start, stop, step);
    }

    private Expr ParseFilters(Expr value)
    {
        while (true)
        {
            var token = Current;
            if (Accept(JinjaTokenKind.Operator, "|"))
            {
                var name = Expect(JinjaTokenKind.Name, "a filter name");
                if (!JinjaFilters.Names.Contains(name.Value))
                {
                    throw Error(name, $"unknown filter '{name.Value}'");
                }

                var (args, kwargs) = Accept(JinjaTokenKind.Operator, "(") ? ParseArguments() : ([], []);
                value = ParsePostfix(new FilterExpr(name.Line, name.Column, value, name.Value, args, kwargs));
            }
            else if (AcceptName("is"))
            {
                var negated = AcceptName("not");
                var name = Expect(JinjaTokenKind.Name, "a test name");
                if (!JinjaTests.Names.Contains(name.Value))
                {
                    throw Error(name, $"unknown test '{name.Value}'");
                }

                List<Expr> args = [];
                if (Accept(JinjaTokenKind.Operator, "("))
                {
                    args = ParseArguments().Args;
                }
                else if (StartsTestArgument())
                {
                    args = [ParsePostfix(ParsePrimary())];
                }

                value = new TestExpr(token.Line, token.Column, value, name.Value, args, negated);
            }
            else
            {
                return value;
            }
        }
    }

    private bool StartsTestArgument() => Current.Kind switch
    {
        JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float => true,
        JinjaTokenKind.Name => Current.Value is not ("else" or "or" or "and" or "if" or "in" or "not" or "is"),
        JinjaTokenKind.Operator => Current.Value is "[" or "{",
        _ => false,
    };

    private (List<Expr> Args, List<(string, Expr)> Kwargs) ParseArguments()
    {
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        ParseSequence(")", () =>
        {
            if (Current.Kind == JinjaTokenKind.Name && _tokens[_index + 1] is { Kind: JinjaTokenKind.Operator, Value: "=" })
            {
                var name = _tokens[_index].Value;
                _index += 2;
                kwargs.Add((name, ParseExpression()));
            }
            else
            {
                args.Add(ParseExpression());
            }

            return 0;
        });
        return (args, kwargs);
    }

    private List<T> ParseSequence<T>(string close, Func<T> parseItem)
    {
        var items = new List<T>();
        while (!Accept(JinjaTokenKind.Operator, close))
        {
            if (items.Count > 0)
            {
                Expect(JinjaTokenKind.Operator, ",");
                if (Accept(JinjaTokenKind.Operator, close))
                {
                    break;
                }
            }

            items.Add(parseItem());
        }

        return items;
    }

    private bool Accept(JinjaTokenKind kind, string value)
    {
        if (Current.Kind == kind && Current.Value == value)
        {
            _index++;
            return true;
        }

        return false;
    }

    private bool AcceptName(string name) => Accept(JinjaTokenKind.Name, name);

    private void ExpectName(string name)
    {
        if (!AcceptName(name))
        {
            throw Error(Current, $"expected '{name}', found {Current}");
        }
    }

    private JinjaToken Expect(JinjaTokenKind kind, string what)
    {
        var token = Current;
        if (token.Kind != kind || (kind == JinjaTokenKind.Operator && token.Value != what))
        {
            throw Error(token, $"expected {(kind is JinjaTokenKind.Name ? what : $"'{what}'")}, found {token}");
        }

        _index++;
        return token;
    }

    private static ChatTemplateException Error(JinjaToken token, string message) =>
        new($"Chat template syntax error at line {token.Line}, column {token.Column}: {message}.");
}
