namespace Chat.Inference.Templates.Internal;

internal enum Flow
{
    Normal,
    Break,
    Continue,
}

/// <summary>A statement node. Nodes are immutable after parsing, so one compiled template renders concurrently.</summary>
internal abstract class Stmt
{
    public abstract Flow Execute(RenderContext context);

    public static Flow ExecuteAll(List<Stmt> body, RenderContext context)
    {
        foreach (var statement in body)
        {
            var flow = statement.Execute(context);
            if (flow != Flow.Normal)
            {
                return flow;
            }
        }

        return Flow.Normal;
    }
}

internal sealed class TextStmt(string text) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        context.Output.Append(text);
        return Flow.Normal;
    }
}

internal sealed class PrintStmt(Expr value) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        context.Output.Append(JinjaValues.ToStr(value.Evaluate(context)));
        return Flow.Normal;
    }
}

internal sealed class IfStmt(List<(Expr Condition, List<Stmt> Body)> branches, List<Stmt>? otherwise) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        foreach (var (condition, body) in branches)
        {
            if (JinjaValues.IsTrue(condition.Evaluate(context)))
            {
                return ExecuteAll(body, context);
            }
        }

        return otherwise is null ? Flow.Normal : ExecuteAll(otherwise, context);
    }
}

internal sealed class ForStmt(List<string> targets, Expr iterable, Expr? filter, List<Stmt> body, List<Stmt>? otherwise) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        List<object?> items;
        try
        {
            items = JinjaAccess.Iterate(iterable.Evaluate(context));
        }
        catch (InvalidOperationException e)
        {
            throw new ChatTemplateException($"Chat template error at line {iterable.Line}, column {iterable.Column}: {e.Message}.", e);
        }

        if (filter is not null)
        {
            items = items.Where(item =>
            {
                context.PushScope();
                try
                {
                    Bind(context, item);
                    return JinjaValues.IsTrue(filter.Evaluate(context));
                }
                finally
                {
                    context.PopScope();
                }
            }).ToList();
        }

        if (items.Count == 0)
        {
            return otherwise is null ? Flow.Normal : ExecuteAll(otherwise, context);
        }

        for (var i = 0; i < items.Count; i++)
        {
            context.PushScope();
            try
            {
                Bind(context, items[i]);
                context.Set("loop", new LoopInfo(i, items.Count, i > 0 ? items[i - 1] : null, i + 1 < items.Count ? items[i + 1] : null));
                if (ExecuteAll(body, context) == Flow.Break)
                {
                    break;
                }
            }
            finally
            {
                context.PopScope();
            }
        }

        return Flow.Normal;
    }

    private void Bind(RenderContext context, object? item)
    {
        if (targets.Count == 1)
        {
            context.Set(targets[0], item);
            return;
        }

        if (item is not List<object?> tuple || tuple.Count != targets.Count)
        {
            throw new ChatTemplateException($"Chat template error at line {iterable.Line}, column {iterable.Column}: cannot unpack {JinjaValues.TypeName(item)} into {targets.Count} loop variables.");
        }

        for (var t = 0; t < targets.Count; t++)
        {
            context.Set(targets[t], tuple[t]);
        }
    }
}

/// <summary>{% set name = value %} or {% set ns.attribute = value %}.</summary>
internal sealed class SetStmt(string name, string? attribute, Expr value, int line, int column) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        var result = value.Evaluate(context);
        if (attribute is null)
        {
            context.Set(name, result);
            return Flow.Normal;
        }

        if (context.Lookup(name) is not JinjaNamespace ns)
        {
            throw new ChatTemplateException($"Chat template error at line {line}, column {column}: '{name}.{attribute}' can only be set when '{name}' is a namespace().");
        }

        ns.Values[attribute] = result;
        return Flow.Normal;
    }
}

/// <summary>{% set name %}...{% endset %}: captures rendered output.</summary>
internal sealed class SetBlockStmt(string name, List<Stmt> body) : Stmt
{
    public override Flow Execute(RenderContext context)
    {
        var start = context.Output.Length;
        ExecuteAll(body, context);
        var captured = context.Output.ToString(start, context.Output.Length - start);
        context.Output.Length = start;
        context.Set(name, captured);
        return Flow.Normal;
    }
}

internal sealed class LoopControlStmt(Flow flow) : Stmt
{
    public override Flow Execute(RenderContext context) => flow;
}
