using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Chat.Gateway.Tests.Realtime;

internal static class Waits
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public static Task ForAsync(Func<bool> condition) => ForAsync(() => Task.FromResult(condition()));

    public static async Task ForAsync(Func<Task<bool>> condition)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        while (!await condition())
        {
            await Task.Delay(10, cancellation.Token);
        }
    }

    /// <summary>POST /chat with <paramref name="body"/>; the answer's JSON.</summary>
    public static async Task<JsonElement> PostChatAsync(HttpClient client, object body)
    {
        using var response = await client.PostAsJsonAsync("/chat", body).WaitAsync(Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
