using System.Globalization;

namespace Chat.Inference.Templates.Internal;

/// <summary>Binary operators with Python's typing rules (no implicit string/number mixing except '~').</summary>
internal static class JinjaOperators
{
    public static object? Apply(string op, object? a, object? b) => op switch
    {
        "==" => JinjaValues.AreEqual(a, b),
        "!=" => !JinjaValues.AreEqual(a, b),
        "<" => JinjaValues.Compare(a, b) < 0,
        ">" => JinjaValues.Compare(a, b) > 0,
        "<=" => JinjaValues.Compare(a, b) <= 0,
        ">=" => JinjaValues.Compare(a, b) >= 0,
        "in" => Contains(b, a),
        "not in" => !Contains(b, a),
        "~" => JinjaValues.ToStr(a) + JinjaValues.ToStr(b),
        "+" => Add(a, b),
        "*" => Multiply(a, b),
        _ => Arithmetic(op, a, b),
    };

    private static object? Add(object? a, object? b) => (a, b) switch
    {
        (string x, string y) => x + y,
        (List<object?> x, List<object?> y) => x.Concat(y).ToList(),
        (long x, long y) => x + y,
        _ when IsNumber(a) && IsNumber(b) => ToDouble(a) + ToDouble(b),
        _ => throw TypeError("+", a, b),
    };

    private static object? Multiply(object? a, object? b) => (a, b) switch
    {
        (long x, long y) => x * y,
        (string s, long n) => string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, n))),
        (List<object?> list, long n) => Enumerable.Repeat(list, (int)Math.Max(0, n)).SelectMany(l => l).ToList(),
        _ when IsNumber(a) && IsNumber(b) => ToDouble(a) * ToDouble(b),
        _ => throw TypeError("*", a, b),
    };

    private static object? Arithmetic(string op, object? a, object? b)
    {
        if (!IsNumber(a) || !IsNumber(b))
        {
            throw TypeError(op, a, b);
        }

        if (a is long x && b is long y && op != "/")
        {
            if (y == 0 && op is "//" or "%")
            {
                throw new InvalidOperationException("integer division or modulo by zero");
            }

            return op switch
            {
                "-" => (object)(x - y),
                "//" => (long)Math.Floor((double)x / y),
                "%" => ((x % y) + y) % y,
                "**" => y >= 0 ? (long)Math.Pow(x, y) : (object)Math.Pow(x, y),
                _ => throw new InvalidOperationException($"unknown operator '{op}'"),
            };
        }

        var (p, q) = (ToDouble(a), ToDouble(b));
        return op switch
        {
            "-" => (object)(p - q),
            "/" => q == 0 ? throw new InvalidOperationException("division by zero") : p / q,
            "//" => Math.Floor(p / q),
            "%" => p - (q * Math.Floor(p / q)),
            "**" => Math.Pow(p, q),
            _ => throw new InvalidOperationException($"unknown operator '{op}'"),
        };
    }

    private static bool Contains(object? container, object? item) => container switch
    {
        string s when item is string t => s.Contains(t, StringComparison.Ordinal),
        string => throw new InvalidOperationException($"'in <string>' requires string as left operand, not {JinjaValues.TypeName(item)}"),
        List<object?> list => list.Any(x => JinjaValues.AreEqual(x, item)),
        Dictionary<string, object?> dict => item is string key && dict.ContainsKey(key),
        JinjaNamespace ns => item is string name && ns.Values.ContainsKey(name),
        Undefined u => throw new InvalidOperationException($"'{u.Name}' is undefined, so 'in' cannot search it"),
        _ => throw new InvalidOperationException($"argument of type {JinjaValues.TypeName(container)} is not iterable"),
    };

    private static bool IsNumber(object? value) => value is long or double;

    private static double ToDouble(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    private static InvalidOperationException TypeError(string op, object? a, object? b) =>
        new($"unsupported operand types for {op}: {JinjaValues.TypeName(a)} and {JinjaValues.TypeName(b)}");
}
