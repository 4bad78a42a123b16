namespace Chat.Inference.Templates.Internal;

/// <summary>An expression node; evaluation errors carry the node's position in the template.</summary>
internal abstract class Expr(int line, int column)
{
    public int Line { get; } = line;

    public int Column { get; } = column;

    public object? Evaluate(RenderContext context)
    {
        try
        {
            return EvaluateCore(context);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException or FormatException or OverflowException or ArgumentException or KeyNotFoundException)
        {
            throw new ChatTemplateException($"Chat template error at line {Line}, column {Column}: {e.Message}.", e);
        }
    }

    protected abstract object? EvaluateCore(RenderContext context);
}

internal sealed class LiteralExpr(int line, int column, object? value) : Expr(line, column)
{
    public object? Value { get; } = value;

    protected override object? EvaluateCore(RenderContext context) => Value;
}

internal sealed class NameExpr(int line, int column, string name) : Expr(line, column)
{
    public string Name { get; } = name;

    protected override object? EvaluateCore(RenderContext context) => context.Lookup(Name);
}

internal sealed class ListExpr(int line, int column, List<Expr> items) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) => items.Select(i => i.Evaluate(context)).ToList();
}

internal sealed class DictExpr(int line, int column, List<(Expr Key, Expr Value)> items) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, value) in items)
        {
            result[key.Evaluate(context) as string ?? throw new InvalidOperationException("dict keys must be strings")] = value.Evaluate(context);
        }

        return result;
    }
}

internal sealed class AttributeExpr(int line, int column, Expr target, string name) : Expr(line, column)
{
    public Expr Target { get; } = target;

    public string Name { get; } = name;

    protected override object? EvaluateCore(RenderContext context) => JinjaAccess.GetAttribute(Target.Evaluate(context), Name);
}

internal sealed class SubscriptExpr(int line, int column, Expr target, Expr index) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) => JinjaAccess.GetItem(target.Evaluate(context), index.Evaluate(context));
}

internal sealed class SliceExpr(int line, int column, Expr target, Expr? start, Expr? stop, Expr? step) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) =>
        JinjaAccess.Slice(target.Evaluate(context), start?.Evaluate(context), stop?.Evaluate(context), step?.Evaluate(context));
}

internal sealed class CallExpr(int line, int column, Expr callee, List<Expr> args, List<(string Name, Expr Value)> kwargs) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context)
    {
        var values = args.Select(a => a.Evaluate(context)).ToList();
        var named = kwargs.ToDictionary(k => k.Name, k => k.Value.Evaluate(context), StringComparer.Ordinal);
        if (callee is AttributeExpr method)
        {
            var target = method.Target.Evaluate(context);
            if (JinjaMethods.TryCall(target, method.Name, values, named, out var result))
            {
                return result;
            }

            return Invoke(JinjaAccess.GetAttribute(target, method.Name), values, named);
        }

        return Invoke(callee.Evaluate(context), values, named);
    }

    private static object? Invoke(object? function, List<object?> values, Dictionary<string, object?> named) => function switch
    {
        JinjaFunction f => f.Invoke(values, named),
        Undefined u => throw new InvalidOperationException($"'{u.Name}' is undefined and cannot be called"),
        _ => throw new InvalidOperationException($"{JinjaValues.TypeName(function)} object is not callable"),
    };
}

internal sealed class FilterExpr(int line, int column, Expr value, string name, List<Expr> args, List<(string Name, Expr Value)> kwargs) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) =>
        JinjaFilters.Apply(name, value.Evaluate(context), args.Select(a => a.Evaluate(context)).ToList(), kwargs.ToDictionary(k => k.Name, k => k.Value.Evaluate(context), StringComparer.Ordinal));
}

internal sealed class TestExpr(int line, int column, Expr value, string name, List<Expr> args, bool negated) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) =>
        JinjaTests.Apply(name, value.Evaluate(context), args.Select(a => a.Evaluate(context)).ToList()) != negated;
}

internal sealed class NotExpr(int line, int column, Expr operand) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) => !JinjaValues.IsTrue(operand.Evaluate(context));
}

internal sealed class NegateExpr(int line, int column, Expr operand) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) => operand.Evaluate(context) switch
    {
        long l => (object)(-l),
        double d => -d,
        var other => throw new InvalidOperationException($"bad operand type for unary -: {JinjaValues.TypeName(other)}"),
    };
}

internal sealed class ConditionalExpr(int line, int column, Expr condition, Expr then, Expr? otherwise) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context) =>
        JinjaValues.IsTrue(condition.Evaluate(context)) ? then.Evaluate(context) : otherwise?.Evaluate(context) ?? new Undefined("else branch");
}

internal sealed class BinaryExpr(int line, int column, string op, Expr left, Expr right) : Expr(line, column)
{
    protected override object? EvaluateCore(RenderContext context)
    {
        switch (op)
        {
            case "and":
                var a = left.Evaluate(context);
                return JinjaValues.IsTrue(a) ? right.Evaluate(context) : a;
            case "or":
                var o = left.Evaluate(context);
                return JinjaValues.IsTrue(o) ? o : right.Evaluate(context);
            default:
                return JinjaOperators.Apply(op, left.Evaluate(context), right.Evaluate(context));
        }
    }
}
