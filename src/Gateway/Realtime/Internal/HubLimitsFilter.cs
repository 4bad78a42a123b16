using Chat.Gateway.Contracts;
using Chat.Gateway.Options;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>
/// Per-connection limits of the hub: every invocation takes a token from the connection's bucket,
/// and a streaming invocation holds one of its generation slots until its stream ends.
/// </summary>
internal sealed class HubLimitsFilter(IOptions<RealtimeOptions> options) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        HubConnectionState.Attach(context.Context, options.Value);
        await next(context).ConfigureAwait(false);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception).ConfigureAwait(false);
        }
        finally
        {
            HubConnectionState.Of(context.Context).Dispose();
        }
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var limits = HubConnectionState.Of(invocation.Context).Limits;
        if (!limits.TryTakeMessage())
        {
            throw new RealtimeException("rate_limited", null, "This connection sends too many messages (Realtime:MessagesPerSecond, Realtime:MessageBurst).");
        }

        if (invocation.HubMethod.ReturnType != typeof(IAsyncEnumerable<ChatStreamItem>))
        {
            return await next(invocation).ConfigureAwait(false);
        }

        limits.TakeStream();
        try
        {
            var result = await next(invocation).ConfigureAwait(false);
            return AsyncEnumerableGuard.Guard((IAsyncEnumerable<ChatStreamItem>)result!, mapError: null, onEnd: limits.ReleaseStream);
        }
        catch
        {
            limits.ReleaseStream();
            throw;
        }
    }
}
