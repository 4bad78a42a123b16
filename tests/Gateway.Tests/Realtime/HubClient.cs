using Chat.Gateway.Contracts;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>The official .NET SignalR client on <c>/hubs/chat</c> over WebSockets, with a client identity.</summary>
internal static class HubClient
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static async Task<HubConnection> ConnectAsync(Uri baseAddress, string clientId = "client-a", bool messagePack = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/chat"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.Headers["X-Client-Id"] = clientId;
            })
            .WithStatefulReconnect();
        if (messagePack)
        {
            builder.AddMessagePackProtocol();
        }

        var connection = builder.Build();
        await connection.StartAsync().WaitAsync(Timeout);
        return connection;
    }

    /// <summary>Reads <paramref name="count"/> items (or all, when null) of a hub stream, each with a timeout.</summary>
    public static async Task<List<ChatStreamItem>> ReadAsync(IAsyncEnumerator<ChatStreamItem> items, int? count = null)
    {
        var read = new List<ChatStreamItem>();
        while ((count is null || read.Count < count) && await items.MoveNextAsync().AsTask().WaitAsync(Timeout))
        {
            read.Add(items.Current);
        }

        return read;
    }

    public static string Text(IEnumerable<ChatStreamItem> items) => string.Concat(items.Where(i => !i.Done).Select(i => i.Token));
}
