namespace Chat.Inference.Templates.Internal;

/// <summary>Attribute, item and slice access with Jinja's rules (a dict's keys are also attributes).</summary>
internal static class JinjaAccess
{
    public static object? GetAttribute(object? target, string name) => target switch
    {
        Dictionary<string, object?> dict => dict.TryGetValue(name, out var value) ? value : new Undefined(name),
        JinjaNamespace ns => ns.Values.TryGetValue(name, out var value) ? value : new Undefined(name),
        LoopInfo loop => loop.Get(name),
        Undefined u => throw new InvalidOperationException($"'{u.Name}' is undefined, so it has no attribute '{name}'"),
        null => throw new InvalidOperationException($"None has no attribute '{name}'"),
        _ => new Undefined(name),
    };

    public static object? GetItem(object? target, object? key)
    {
        switch (target)
        {
            case Dictionary<string, object?> or JinjaNamespace or LoopInfo when key is string name:
                return GetAttribute(target, name);
            case List<object?> list when key is long index:
                var i = index < 0 ? list.Count + index : index;
                return i >= 0 && i < list.Count ? list[(int)i] : new Undefined($"[{index}]");
            case string text when key is long index:
                var j = index < 0 ? text.Length + index : index;
                return j >= 0 && j < text.Length ? text[(int)j].ToString() : new Undefined($"[{index}]");
            case Undefined u:
                throw new InvalidOperationException($"'{u.Name}' is undefined, so it cannot be indexed");
            case null:
                throw new InvalidOperationException("None cannot be indexed");
            default:
                return new Undefined($"[{JinjaValues.Repr(key)}]");
        }
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        var stride = step is null ? 1 : ToIndex(step);
        if (stride == 0)
        {
            throw new InvalidOperationException("slice step cannot be zero");
        }

        var length = target switch
        {
            List<object?> list => list.Count,
            string text => text.Length,
            _ => throw new InvalidOperationException($"{JinjaValues.TypeName(target)} cannot be sliced"),
        };
        var indices = SliceIndices(length, start is null ? null : ToIndex(start), stop is null ? null : ToIndex(stop), stride);
        return target is string s
            ? string.Concat(indices.Select(i => s[i]))
            : indices.Select(i => ((List<object?>)target)[i]).ToList();
    }

    // Python's slice.indices: clamp, then walk with the stride.
    private static IEnumerable<int> SliceIndices(int length, int? start, int? stop, int step)
    {
        int Clamp(int value, int low, int high) => Math.Min(Math.Max(value, low), high);
        int first, last;
        if (step > 0)
        {
            first = start is { } a ? Clamp(a < 0 ? a + length : a, 0, length) : 0;
            last = stop is { } b ? Clamp(b < 0 ? b + length : b, 0, length) : length;
            for (var i = first; i < last; i += step)
            {
                yield return i;
            }
        }
        else
        {
            first = start is { } a ? Clamp(a < 0 ? a + length : a, -1, length - 1) : length - 1;
            last = stop is { } b ? Clamp(b < 0 ? b + length : b, -1, length - 1) : -1;
            for (var i = first; i > last; i += step)
            {
                yield return i;
            }
        }
    }

    private static int ToIndex(object? value) => value is long l ? (int)l : throw new InvalidOperationException($"slice indices must be integers, not {JinjaValues.TypeName(value)}");

    /// <summary>The items a for loop visits: list items, a dict's keys, a string's characters.</summary>
    public static List<object?> Iterate(object? value) => value switch
    {
        List<object?> list => list,
        Dictionary<string, object?> dict => dict.Keys.Cast<object?>().ToList(),
        string text => text.Select(c => (object?)c.ToString()).ToList(),
        Undefined or null => value is null ? throw new InvalidOperationException("None is not iterable") : [],
        _ => throw new InvalidOperationException($"{JinjaValues.TypeName(value)} is not iterable"),
    };
}
