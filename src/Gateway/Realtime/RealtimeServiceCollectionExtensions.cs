using Chat.Gateway.Options;
using Chat.Gateway.Realtime.Internal;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Realtime;

public static class RealtimeServiceCollectionExtensions
{
    /// <summary>
    /// SignalR (JSON and MessagePack protocols) with the hub filters, outermost first: logging and
    /// connection metrics, typed errors, per-connection limits; and the WebSocket middleware's keep-alive.
    /// Both read the <c>Realtime</c> section.
    /// </summary>
    public static IServiceCollection AddRealtime(this IServiceCollection services)
    {
        services.AddSignalR(hub =>
            {
                hub.AddFilter<HubLoggingFilter>();
                hub.AddFilter<HubErrorFilter>();
                hub.AddFilter<HubLimitsFilter>();
            })
            .AddJsonProtocol(json => json.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, HubJsonContext.Default))
            .AddMessagePackProtocol();

        services.AddOptions<HubOptions>().Configure<IOptions<RealtimeOptions>>((hub, realtime) =>
        {
            hub.MaximumReceiveMessageSize = realtime.Value.MaxMessageBytes;
            hub.KeepAliveInterval = TimeSpan.FromSeconds(realtime.Value.KeepAliveSeconds);
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(realtime.Value.KeepAliveSeconds + realtime.Value.KeepAliveTimeoutSeconds);
        });

        services.AddOptions<WebSocketOptions>().Configure<IOptions<RealtimeOptions>>((sockets, realtime) =>
        {
            sockets.KeepAliveInterval = TimeSpan.FromSeconds(realtime.Value.KeepAliveSeconds);
            sockets.KeepAliveTimeout = TimeSpan.FromSeconds(realtime.Value.KeepAliveTimeoutSeconds);
        });
        return services;
    }

    /// <summary>The hub at <c>/hubs/chat</c> (stateful reconnect allowed) and the raw WebSocket at <c>/ws/chat</c>.</summary>
    public static WebApplication MapRealtime(this WebApplication app)
    {
        app.UseWebSockets();
        app.MapHub<ChatHub>("/hubs/chat", options => options.AllowStatefulReconnects = true);
        app.MapWebSocketChatApi();
        return app;
    }
}
