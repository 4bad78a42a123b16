using System.Text;

namespace Chat.Inference.Templates.Internal;

/// <summary>State of one render: the output and the variable scopes. One per Render call, never shared.</summary>
internal sealed class RenderContext
{
    private readonly List<Dictionary<string, object?>> _scopes;

    public RenderContext(Dictionary<string, object?> globals)
    {
        _scopes = [globals];
    }

    public StringBuilder Output { get; } = new();

    public object? Lookup(string name)
    {
        for (var i = _scopes.Count - 1; i >= 0; i--)
        {
            if (_scopes[i].TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return new Undefined(name);
    }

    public void Set(string name, object? value) => _scopes[^1][name] = value;

    /// <summary>Opens a scope (one per loop iteration: sets inside a loop do not leak, as in Jinja).</summary>
    public void PushScope() => _scopes.Add(new Dictionary<string, object?>(StringComparer.Ordinal));

    public void PopScope() => _scopes.RemoveAt(_scopes.Count - 1);
}
