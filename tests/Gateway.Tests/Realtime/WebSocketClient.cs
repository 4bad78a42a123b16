using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Chat.Gateway.Tests.Realtime;

/// <summary>A <see cref="ClientWebSocket"/> on <c>/ws/chat</c> that sends and receives whole JSON text messages.</summary>
internal sealed class WebSocketClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private WebSocketClient(ClientWebSocket socket)
    {
        Socket = socket;
    }

    public ClientWebSocket Socket { get; }

    public static async Task<WebSocketClient> ConnectAsync(Uri baseAddress, string clientId = "client-a")
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("X-Client-Id", clientId);
        var uri = new UriBuilder(baseAddress) { Scheme = "ws", Path = "/ws/chat" }.Uri;
        await socket.ConnectAsync(uri, CancellationToken.None).WaitAsync(Timeout);
        return new WebSocketClient(socket);
    }

    public Task SendAsync(string json) =>
        Socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).WaitAsync(Timeout);

    public Task SendBinaryAsync(byte[] bytes) =>
        Socket.SendAsync(bytes, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None).WaitAsync(Timeout);

    /// <summary>The next text message as JSON; null when the server closed the socket.</summary>
    public async Task<JsonElement?> ReceiveAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        WebSocketReceiveResult result;
        do
        {
            result = await Socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Timeout);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
        }
        while (!result.EndOfMessage);

        return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
    }

    /// <summary>Messages of one id until its done or error message (messages of other ids are kept for later).</summary>
    public async Task<List<JsonElement>> ReceiveUntilEndAsync(string id, Dictionary<string, List<JsonElement>>? others = null)
    {
        var messages = new List<JsonElement>();
        while (await ReceiveAsync() is { } message)
        {
            var messageId = message.GetProperty("id").GetString()!;
            if (messageId != id)
            {
                others?.TryAdd(messageId, []);
                others?[messageId].Add(message);
                continue;
            }

            messages.Add(message);
            if (message.GetProperty("type").GetString() is "done" or "error")
            {
                return messages;
            }
        }

        throw new InvalidOperationException($"The socket closed before {id} ended.");
    }

    public static string Text(IEnumerable<JsonElement> messages) =>
        string.Concat(messages.Where(m => m.GetProperty("type").GetString() == "token").Select(m => m.GetProperty("token").GetString()));

    public async ValueTask DisposeAsync()
    {
        if (Socket.State == WebSocketState.Open)
        {
            using var cancel = new CancellationTokenSource(Timeout);
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cancel.Token);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
                // The server went first; nothing to close politely.
            }
        }

        Socket.Dispose();
    }
}
