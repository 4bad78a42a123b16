using System.Collections.Concurrent;

namespace Chat.Gateway.Health;

/// <summary>
/// What stands between the process and readiness: each component that loads in the background
/// (the chat model, the classifier registry) registers itself as loading, then reports ready or failed.
/// <c>/ready</c> is 200 only when every registered component is ready.
/// </summary>
public sealed class ReadinessTracker
{
    private readonly ConcurrentDictionary<string, ComponentReadiness> _components = new(StringComparer.Ordinal);

    public void MarkLoading(string component) =>
        _components[component] = new ComponentReadiness(component, ReadinessState.Loading, "loading");

    public void MarkReady(string component, string detail) =>
        _components[component] = new ComponentReadiness(component, ReadinessState.Ready, detail);

    public void MarkFailed(string component, string message) =>
        _components[component] = new ComponentReadiness(component, ReadinessState.Failed, "failed: " + message);

    public bool IsReady => !_components.IsEmpty && _components.Values.All(c => c.State == ReadinessState.Ready);

    public IReadOnlyList<ComponentReadiness> Snapshot() =>
        _components.Values.OrderBy(c => c.Component, StringComparer.Ordinal).ToArray();
}
