using System.Globalization;

namespace Chat.Inference.Templates.Internal;

/// <summary>
/// A chat template compiled once; <see cref="Render"/> evaluates the immutable tree with a fresh
/// context per call, so one instance serves concurrent requests.
/// </summary>
internal sealed class JinjaChatTemplate : IChatTemplate
{
    private static readonly JinjaFunction RaiseException = new("raise_exception", (args, _) =>
        throw new ChatTemplateException("Chat template raised an error: " + JinjaValues.ToStr(args.FirstOrDefault())) { RaisedByTemplate = true });

    private static readonly JinjaFunction Namespace = new("namespace", (args, kwargs) =>
    {
        var values = args.FirstOrDefault() is Dictionary<string, object?> initial ? new Dictionary<string, object?>(initial) : new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in kwargs)
        {
            values[key] = value;
        }

        return new JinjaNamespace(values);
    });

    private static readonly JinjaFunction Range = new("range", (args, _) =>
    {
        var bounds = args.Select(a => a as long? ?? throw new InvalidOperationException("range() takes integers")).ToArray();
        var (start, stop, step) = bounds.Length switch
        {
            1 => (0L, bounds[0], 1L),
            2 => (bounds[0], bounds[1], 1L),
            3 => (bounds[0], bounds[1], bounds[2]),
            _ => throw new InvalidOperationException("range() takes 1 to 3 arguments"),
        };
        if (step == 0)
        {
            throw new InvalidOperationException("range() step must not be zero");
        }

        var result = new List<object?>();
        for (var i = start; step > 0 ? i < stop : i > stop; i += step)
        {
            result.Add(i);
        }

        return result;
    });

    // transformers exposes strftime_now for templates that print today's date (Llama 3.1+).
    private static readonly JinjaFunction StrftimeNow = new("strftime_now", (args, _) =>
        PythonDate(DateTime.Now, JinjaValues.ToStr(args.FirstOrDefault())));

    private readonly List<Stmt> _body;
    private readonly IReadOnlyDictionary<string, string> _specialTokens;

    public JinjaChatTemplate(string source, IReadOnlyDictionary<string, string> specialTokens)
    {
        _body = JinjaParser.Parse(source);
        _specialTokens = specialTokens;
    }

    public string Render(IReadOnlyList<ChatTurn> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var globals = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["raise_exception"] = RaiseException,
            ["namespace"] = Namespace,
            ["range"] = Range,
            ["strftime_now"] = StrftimeNow,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["messages"] = messages.Select(m => (object?)new Dictionary<string, object?>(StringComparer.Ordinal) { ["role"] = m.Role, ["content"] = m.Content }).ToList(),
        };
        foreach (var (name, value) in _specialTokens)
        {
            globals[name] = value;
        }

        var context = new RenderContext(globals);
        Stmt.ExecuteAll(_body, context);
        return context.Output.ToString();
    }

    private static string PythonDate(DateTime now, string format)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length)
            {
                builder.Append(format[i]);
                continue;
            }

            builder.Append(format[++i] switch
            {
                'd' => now.ToString("dd", CultureInfo.InvariantCulture),
                'm' => now.ToString("MM", CultureInfo.InvariantCulture),
                'Y' => now.ToString("yyyy", CultureInfo.InvariantCulture),
                'y' => now.ToString("yy", CultureInfo.InvariantCulture),
                'b' => now.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => now.ToString("MMMM", CultureInfo.InvariantCulture),
                'a' => now.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => now.ToString("dddd", CultureInfo.InvariantCulture),
                'H' => now.ToString("HH", CultureInfo.InvariantCulture),
                'M' => now.ToString("mm", CultureInfo.InvariantCulture),
                'S' => now.ToString("ss", CultureInfo.InvariantCulture),
                '%' => "%",
                var other => "%" + other,
            });
        }

        return builder.ToString();
    }
}
