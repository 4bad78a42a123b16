using System.Diagnostics;
using Chat.Gateway.Observability;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>Outermost hub filter: connection gauge, and one log line per connection and per invocation.</summary>
internal sealed partial class HubLoggingFilter(GatewayMetrics metrics, ILogger<HubLoggingFilter> logger) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context).ConfigureAwait(false);
        metrics.ActiveConnections.WithLabels(ChatHub.Transport).Inc();
        LogConnected(logger, context.Context.ConnectionId);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        metrics.ActiveConnections.WithLabels(ChatHub.Transport).Dec();
        LogDisconnected(logger, context.Context.ConnectionId, exception);
        await next(context, exception).ConfigureAwait(false);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await next(invocation).ConfigureAwait(false);
            LogInvoked(logger, invocation.HubMethodName, invocation.Context.ConnectionId, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (HubException ex)
        {
            LogRefused(logger, invocation.HubMethodName, invocation.Context.ConnectionId, ex.Message);
            throw;
        }
    }

    [LoggerMessage(EventId = 500, Level = LogLevel.Debug, Message = "Hub connection {ConnectionId} opened")]
    private static partial void LogConnected(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 501, Level = LogLevel.Debug, Message = "Hub connection {ConnectionId} closed")]
    private static partial void LogDisconnected(ILogger logger, string connectionId, Exception? exception);

    [LoggerMessage(EventId = 502, Level = LogLevel.Debug, Message = "Hub method {Method} invoked on {ConnectionId} in {Milliseconds} ms")]
    private static partial void LogInvoked(ILogger logger, string method, string connectionId, double milliseconds);

    [LoggerMessage(EventId = 503, Level = LogLevel.Debug, Message = "Hub method {Method} refused on {ConnectionId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, string connectionId, string reason);
}
