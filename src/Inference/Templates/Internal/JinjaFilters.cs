using System.Globalization;
using System.Text;

namespace Chat.Inference.Templates.Internal;

/// <summary>The filters chat templates use. Names are checked when the template compiles.</summary>
internal static class JinjaFilters
{
    public static readonly HashSet<string> Names =
    [
        "trim", "upper", "lower", "capitalize", "title", "length", "count", "default", "d", "tojson", "join", "replace",
        "first", "last", "string", "int", "float", "list", "selectattr", "rejectattr", "map", "items", "abs", "safe", "reverse",
    ];

    public static object? Apply(string name, object? value, List<object?> args, Dictionary<string, object?> kwargs)
    {
        switch (name)
        {
            case "trim":
                return Str(value, name).Trim();
            case "upper":
                return Str(value, name).ToUpperInvariant();
            case "lower":
                return Str(value, name).ToLowerInvariant();
            case "capitalize":
                return JinjaMethods.Capitalize(Str(value, name));
            case "title":
                return JinjaMethods.Title(Str(value, name));
            case "length" or "count":
                return (long)(value switch
                {
                    string s => s.Length,
                    List<object?> list => list.Count,
                    Dictionary<string, object?> map => map.Count,
                    Undefined => 0,
                    _ => throw new InvalidOperationException($"object of type {JinjaValues.TypeName(value)} has no length"),
                });
            case "default" or "d":
                var fallback = args.Count > 0 ? args[0] : string.Empty;
                var ifFalsy = args.Count > 1 && JinjaValues.IsTrue(args[1]);
                return value is Undefined || (ifFalsy && !JinjaValues.IsTrue(value)) ? fallback : value;
            case "tojson":
                var indent = kwargs.TryGetValue("indent", out var i) ? i as long? : args.Count > 0 ? args[0] as long? : null;
                return JinjaJson.Serialize(value, indent is null ? null : (int)indent.Value);
            case "join":
                var separator = args.Count > 0 ? Str(args[0], name) : string.Empty;
                return string.Join(separator, JinjaAccess.Iterate(value).Select(JinjaValues.ToStr));
            case "replace":
                return Str(value, name).Replace(Str(args.ElementAtOrDefault(0), name), Str(args.ElementAtOrDefault(1), name), StringComparison.Ordinal);
            case "first":
                return JinjaAccess.Iterate(value) is { Count: > 0 } firstItems ? firstItems[0] : new Undefined("first");
            case "last":
                return JinjaAccess.Iterate(value) is { Count: > 0 } lastItems ? lastItems[^1] : new Undefined("last");
            case "reverse":
                return value is string r ? new string(r.Reverse().ToArray()) : Enumerable.Reverse(JinjaAccess.Iterate(value)).ToList();
            case "string":
                return JinjaValues.ToStr(value);
            case "safe":
                return value;
            case "int":
                return value switch
                {
                    long l => l,
                    double d => (long)Math.Truncate(d),
                    bool b => b ? 1L : 0L,
                    string s when long.TryParse(s.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => args.Count > 0 ? args[0] : 0L,
                };
            case "float":
                return value switch
                {
                    long l => (double)l,
                    double d => d,
                    string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
                    _ => args.Count > 0 ? args[0] : 0.0,
                };
            case "abs":
                return value switch { long l => (object)Math.Abs(l), double d => Math.Abs(d), _ => throw new InvalidOperationException($"bad operand type for abs(): {JinjaValues.TypeName(value)}") };
            case "list":
                return JinjaAccess.Iterate(value).ToList();
            case "items":
                return value is Dictionary<string, object?> dict
                    ? dict.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList()
                    : throw new InvalidOperationException($"items filter needs a mapping, not {JinjaValues.TypeName(value)}");
            case "selectattr" or "rejectattr":
                return SelectAttribute(value, args, keep: name == "selectattr");
            case "map":
                var attribute = kwargs.TryGetValue("attribute", out var a) ? Str(a, name) : throw new InvalidOperationException("map is supported with attribute=... only");
                return JinjaAccess.Iterate(value).Select(item => JinjaAccess.GetAttribute(item, attribute)).ToList();
            default:
                throw new InvalidOperationException($"no filter named '{name}'");
        }
    }

    private static List<object?> SelectAttribute(object? value, List<object?> args, bool keep)
    {
        var attribute = Str(args.ElementAtOrDefault(0), "selectattr");
        var test = args.Count > 1 ? Str(args[1], "selectattr") : null;
        var testArgs = args.Skip(2).ToList();
        return JinjaAccess.Iterate(value)
            .Where(item =>
            {
                var field = item is Dictionary<string, object?> or JinjaNamespace ? JinjaAccess.GetAttribute(item, attribute) : new Undefined(attribute);
                var passed = test is null ? JinjaValues.IsTrue(field) : JinjaTests.Apply(test, field, testArgs);
                return passed == keep;
            })
            .ToList();
    }

    private static string Str(object? value, string filter) => value switch
    {
        string s => s,
        Undefined u => throw new InvalidOperationException($"'{u.Name}' is undefined (filter '{filter}')"),
        _ => JinjaValues.ToStr(value),
    };
}

/// <summary>The tests of "x is name": defined, none, string, equalto, ...</summary>
internal static class JinjaTests
{
    public static readonly HashSet<string> Names =
    [
        "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true", "false", "sequence", "iterable",
        "mapping", "equalto", "eq", "sameas", "odd", "even", "divisibleby", "in", "lower", "upper", "callable",
    ];

    public static bool Apply(string name, object? value, List<object?> args) => name switch
    {
        "defined" => value is not Undefined,
        "undefined" => value is Undefined,
        "none" => value is null,
        "string" => value is string,
        "number" => value is long or double,
        "integer" => value is long,
        "float" => value is double,
        "boolean" => value is bool,
        "true" => value is true,
        "false" => value is false,
        "sequence" or "iterable" => value is string or List<object?> or Dictionary<string, object?>,
        "mapping" => value is Dictionary<string, object?>,
        "equalto" or "eq" or "sameas" => JinjaValues.AreEqual(value, args.ElementAtOrDefault(0)),
        "odd" => value is long l && l % 2 != 0,
        "even" => value is long m && m % 2 == 0,
        "divisibleby" => value is long n && args.ElementAtOrDefault(0) is long k && k != 0 && n % k == 0,
        "in" => (bool)JinjaOperators.Apply("in", value, args.ElementAtOrDefault(0))!,
        "lower" => value is string s && s == s.ToLowerInvariant(),
        "upper" => value is string u && u == u.ToUpperInvariant(),
        "callable" => value is JinjaFunction,
        _ => throw new InvalidOperationException($"no test named '{name}'"),
    };
}

/// <summary>
/// tojson as transformers defines it for chat templates: json.dumps with ensure_ascii=False and
/// Python's separators (", " and ": "; "," between items when indenting).
/// </summary>
internal static class JinjaJson
{
    public static string Serialize(object? value, int? indent)
    {
        var builder = new StringBuilder();
        Write(builder, value, indent, 0);
        return builder.ToString();
    }

    private static void Write(StringBuilder builder, object? value, int? indent, int depth)
    {
        switch (value)
        {
            case null or Undefined:
                builder.Append("null");
                break;
            case bool b:
                builder.Append(b ? "true" : "false");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(double.IsFinite(d) ? JinjaValues.FormatFloat(d) : double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                break;
            case string s:
                WriteString(builder, s);
                break;
            case List<object?> list:
                WriteItems(builder, '[', ']', list, indent, depth, (item, d) => Write(builder, item, indent, d));
                break;
            case Dictionary<string, object?> dict:
                WriteItems(builder, '{', '}', dict.ToList(), indent, depth, (pair, d) =>
                {
                    WriteString(builder, pair.Key);
                    builder.Append(": ");
                    Write(builder, pair.Value, indent, d);
                });
                break;
            case JinjaNamespace ns:
                Write(builder, ns.Values, indent, depth);
                break;
            default:
                throw new InvalidOperationException($"Object of type {JinjaValues.TypeName(value)} is not JSON serializable");
        }
    }

    private static void WriteItems<T>(StringBuilder builder, char open, char close, List<T> items, int? indent, int depth, Action<T, int> writeItem)
    {
        builder.Append(open);
        if (items.Count == 0)
        {
            builder.Append(close);
            return;
        }

        for (var i = 0; i < items.Count; i++)
        {
            if (indent is { } width)
            {
                builder.Append(i == 0 ? string.Empty : ",").Append('\n').Append(' ', width * (depth + 1));
            }
            else if (i > 0)
            {
                builder.Append(", ");
            }

            writeItem(items[i], depth + 1);
        }

        if (indent is { } w)
        {
            builder.Append('\n').Append(' ', w * depth);
        }

        builder.Append(close);
    }

    private static void WriteString(StringBuilder builder, string s)
    {
        builder.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        builder.Append('"');
    }
}
