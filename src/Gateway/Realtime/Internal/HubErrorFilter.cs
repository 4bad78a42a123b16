using Chat.Gateway.Contracts;
using Chat.Gateway.Observability;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// Turns the gateway's typed failures (validation, stream access, readiness, capacity, limits) into
/// <see cref="HubException"/>s whose message a client sees as <c>type (field): message</c>, also when
/// they surface while a stream is being enumerated. Anything else stays a server fault, which SignalR
/// reports without details.
/// </summary>
internal sealed class HubErrorFilter(GatewayMetrics metrics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        object? result;
        try
        {
            result = await next(invocation).ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex) is { } mapped)
        {
            throw mapped;
        }

        return result is IAsyncEnumerable<ChatStreamItem> items
            ? AsyncEnumerableGuard.Guard(items, Map, onEnd: null)
            : result;
    }

    private HubException? Map(Exception exception)
    {
        if (RealtimeError.From(exception) is not { } error)
        {
            return null;
        }

        metrics.RealtimeErrors.WithLabels(ChatHub.Transport, error.Type).Inc();
        return new HubException(error.ToString(), exception);
    }
}
