using Chat.Gateway.Options;
using Chat.Gateway.Streams;
using Microsoft.AspNetCore.SignalR;

namespace Chat.Gateway.Realtime.Internal;

/// <summary>What the gateway keeps per hub connection: its identity, limits and conversations.</summary>
internal sealed class HubConnectionState(string owner, RealtimeOptions options) : IDisposable
{
    public string Owner { get; } = owner;

    public ConnectionLimits Limits { get; } = new(options);

    public ConversationSet Conversations { get; } = new(options.MaxConversationsPerConnection, options.MaxConversationMessages);

    /// <summary>Created when the connection opens (<see cref="HubLimitsFilter"/>), so every invocation finds it.</summary>
    public static HubConnectionState Attach(HubCallerContext context, RealtimeOptions options)
    {
        var http = context.GetHttpContext() ?? throw new InvalidOperationException("A hub connection without an HTTP context has no client identity.");
        var state = new HubConnectionState(ClientIdentity.Of(http), options);
        context.Items[typeof(HubConnectionState)] = state;
        return state;
    }

    public static HubConnectionState Of(HubCallerContext context) =>
        context.Items.TryGetValue(typeof(HubConnectionState), out var state) && state is HubConnectionState found
            ? found
            : throw new InvalidOperationException("The hub connection state is missing; HubLimitsFilter must be registered.");

    public void Dispose() => Limits.Dispose();
}
