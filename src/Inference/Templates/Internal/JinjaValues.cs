using System.Globalization;
using System.Text;

namespace Chat.Inference.Templates.Internal;

/// <summary>A name that resolved to nothing; renders empty, is falsy, and fails when dereferenced.</summary>
internal sealed record Undefined(string Name);

/// <summary>The mutable object <c>namespace(...)</c> returns, the one way to carry state out of a loop.</summary>
internal sealed class JinjaNamespace(Dictionary<string, object?> values)
{
    public Dictionary<string, object?> Values { get; } = values;
}

/// <summary>A global function such as raise_exception or range.</summary>
internal sealed record JinjaFunction(string Name, Func<List<object?>, Dictionary<string, object?>, object?> Invoke);

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopInfo(int index0, int length, object? previous, object? next)
{
    public object? Get(string name) => name switch
    {
        "index0" => (long)index0,
        "index" => (long)index0 + 1,
        "revindex" => (long)(length - index0),
        "revindex0" => (long)(length - index0 - 1),
        "first" => index0 == 0,
        "last" => index0 == length - 1,
        "length" => (long)length,
        "previtem" => index0 > 0 ? previous : new Undefined("loop.previtem"),
        "nextitem" => index0 < length - 1 ? next : new Undefined("loop.nextitem"),
        _ => new Undefined("loop." + name),
    };
}

/// <summary>Python semantics for template values: truth, str(), repr(), equality, ordering.</summary>
internal static class JinjaValues
{
    public static bool IsTrue(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0,
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        Dictionary<string, object?> dict => dict.Count > 0,
        _ => true,
    };

    public static string ToStr(object? value) => value switch
    {
        string s => s,
        Undefined => string.Empty,
        _ => Repr(value),
    };

    public static string Repr(object? value)
    {
        var builder = new StringBuilder();
        AppendRepr(builder, value);
        return builder.ToString();
    }

    public static string TypeName(object? value) => value switch
    {
        null => "NoneType",
        bool => "bool",
        long => "int",
        double => "float",
        string => "str",
        List<object?> => "list",
        Dictionary<string, object?> => "dict",
        Undefined => "undefined",
        JinjaNamespace => "Namespace",
        _ => value.GetType().Name,
    };

    public static bool AreEqual(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (Undefined, Undefined) => true,
        (bool x, bool y) => x == y,
        (long x, long y) => x == y,
        (long or double, long or double) when a is not bool && b is not bool => Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (List<object?> x, List<object?> y) => x.Count == y.Count && x.Zip(y).All(p => AreEqual(p.First, p.Second)),
        (Dictionary<string, object?> x, Dictionary<string, object?> y) => x.Count == y.Count && x.All(p => y.TryGetValue(p.Key, out var v) && AreEqual(p.Value, v)),
        _ => ReferenceEquals(a, b),
    };

    /// <summary>Orders numbers with numbers and strings with strings, as Python does; anything else is a type error.</summary>
    public static int Compare(object? a, object? b)
    {
        if (a is long x && b is long y)
        {
            return x.CompareTo(y);
        }

        if (a is long or double && b is long or double)
        {
            return Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture));
        }

        if (a is string s && b is string t)
        {
            return string.CompareOrdinal(s, t);
        }

        throw new InvalidOperationException($"cannot compare {TypeName(a)} with {TypeName(b)}");
    }

    public static string FormatFloat(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    private static void AppendRepr(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("None");
                break;
            case bool b:
                builder.Append(b ? "True" : "False");
                break;
            case long l:
                builder.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                builder.Append(FormatFloat(d));
                break;
            case string s:
                var quote = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
                builder.Append(quote);
                foreach (var c in s)
                {
                    builder.Append(c switch
                    {
                        '\\' => "\\\\",
                        '\n' => "\\n",
                        '\t' => "\\t",
                        '\r' => "\\r",
                        _ when c == quote => "\\" + c,
                        _ => c.ToString(),
                    });
                }

                builder.Append(quote);
                break;
            case List<object?> list:
                builder.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    builder.Append(i == 0 ? string.Empty : ", ");
                    AppendRepr(builder, list[i]);
                }

                builder.Append(']');
                break;
            case Dictionary<string, object?> dict:
                builder.Append('{');
                var first = true;
                foreach (var (key, item) in dict)
                {
                    builder.Append(first ? string.Empty : ", ");
                    first = false;
                    AppendRepr(builder, key);
                    builder.Append(": ");
                    AppendRepr(builder, item);
                }

                builder.Append('}');
                break;
            case Undefined:
                break;
            default:
                builder.Append('<').Append(TypeName(value)).Append('>');
                break;
        }
    }
}
