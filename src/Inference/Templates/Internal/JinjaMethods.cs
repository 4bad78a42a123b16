using System.Globalization;

namespace Chat.Inference.Templates.Internal;

/// <summary>The Python str and dict methods chat templates call (message.content.strip(), message.get(...)).</summary>
internal static class JinjaMethods
{
    public static bool TryCall(object? target, string name, List<object?> args, Dictionary<string, object?> kwargs, out object? result)
    {
        result = target switch
        {
            string s => CallString(s, name, args),
            Dictionary<string, object?> d => CallDict(d, name, args),
            _ => null,
        };
        return result is not null || (target is Dictionary<string, object?> && name == "get");
    }

    private static object? CallString(string s, string name, List<object?> args)
    {
        string? Chars(int i) => args.Count > i ? args[i] as string : null;
        return name switch
        {
            "strip" => Chars(0) is { } c ? s.Trim(c.ToCharArray()) : s.Trim(),
            "lstrip" => Chars(0) is { } c ? s.TrimStart(c.ToCharArray()) : s.TrimStart(),
            "rstrip" => Chars(0) is { } c ? s.TrimEnd(c.ToCharArray()) : s.TrimEnd(),
            "upper" => s.ToUpperInvariant(),
            "lower" => s.ToLowerInvariant(),
            "title" => Title(s),
            "capitalize" => Capitalize(s),
            "startswith" => StartsOrEnds(s, args, start: true),
            "endswith" => StartsOrEnds(s, args, start: false),
            "split" => Split(s, args),
            "replace" => s.Replace(Arg<string>(args, 0, name), Arg<string>(args, 1, name), StringComparison.Ordinal),
            "find" => (long)s.IndexOf(Arg<string>(args, 0, name), StringComparison.Ordinal),
            "count" => (long)(s.Length - s.Replace(Arg<string>(args, 0, name), string.Empty, StringComparison.Ordinal).Length) / Math.Max(1, Arg<string>(args, 0, name).Length),
            "join" => string.Join(s, JinjaAccess.Iterate(args.FirstOrDefault()).Select(JinjaValues.ToStr)),
            "isdigit" => s.Length > 0 && s.All(char.IsDigit),
            "isspace" => s.Length > 0 && s.All(char.IsWhiteSpace),
            _ => null,
        };
    }

    private static object? CallDict(Dictionary<string, object?> d, string name, List<object?> args) => name switch
    {
        "get" => d.TryGetValue(Arg<string>(args, 0, name), out var value) ? value : args.Count > 1 ? args[1] : null,
        "items" => d.Select(p => (object?)new List<object?> { p.Key, p.Value }).ToList(),
        "keys" => d.Keys.Cast<object?>().ToList(),
        "values" => d.Values.ToList(),
        _ => null,
    };

    public static string Title(string s)
    {
        var chars = s.ToCharArray();
        var previousIsLetter = false;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = previousIsLetter ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
            previousIsLetter = char.IsLetter(chars[i]);
        }

        return new string(chars);
    }

    public static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    private static bool StartsOrEnds(string s, List<object?> args, bool start)
    {
        var prefixes = args.FirstOrDefault() switch
        {
            string p => [p],
            List<object?> list => list.Select(x => x as string ?? throw new InvalidOperationException("startswith/endswith take strings")).ToArray(),
            var other => throw new InvalidOperationException($"startswith/endswith take a string, not {JinjaValues.TypeName(other)}"),
        };
        return prefixes.Any(p => start ? s.StartsWith(p, StringComparison.Ordinal) : s.EndsWith(p, StringComparison.Ordinal));
    }

    private static List<object?> Split(string s, List<object?> args)
    {
        var separator = args.Count > 0 ? args[0] as string : null;
        var max = args.Count > 1 && args[1] is long m && m >= 0 ? (int)m + 1 : int.MaxValue;
        var parts = separator is null
            ? s.Split((char[]?)null, max, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : s.Split(separator, max);
        return parts.Cast<object?>().ToList();
    }

    private static T Arg<T>(List<object?> args, int index, string method) =>
        args.Count > index && args[index] is T value ? value : throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"{method}() argument {index + 1} must be {typeof(T).Name}"));
}
