using System.Net;
using System.Text;
using System.Text.Json;
using Chat.Gateway.Tests.Http;
using Chat.Inference.Engine;
using Chat.ModelBuilder.Decoder;
using Chat.TestSupport.Models;

namespace Chat.Gateway.Tests.RealModel;

/// <summary>Every HTTP streaming route on a builder-made model served by the real engine.</summary>
public sealed class RealModelStreamingTests
{
    private static readonly TimeSpan Timeout = RealModelGateway.Timeout;

    [Fact]
    public async Task Every_route_streams_the_same_text_as_the_non_streaming_answer()
    {
        await using var host = await RealModelGateway.StartAsync(TestModels.Tiny(DecoderGraphStyle.Contrib).Directory);
        using var client = host.CreateClient();
        const string Sampling = "\"max_tokens\":24,\"temperature\":0.9,\"seed\":5,\"ignore_eos\":true";

        var chat = await PostJsonAsync(client, "/chat", $"{{\"message\":\"Hello there\",{Sampling}}}");
        var expected = chat.GetProperty("message").GetProperty("content").GetString()!;
        Assert.Equal("length", chat.GetProperty("finish_reason").GetString());
        Assert.Equal(24, chat.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var ndjson = await ReadStreamAsync(client, "/chat/stream", $"{{\"message\":\"Hello there\",{Sampling}}}", sse: false);
        Assert.Equal(expected, string.Concat(ndjson.SkipLast(1).Select(l => EventReader.Data(l).GetProperty("token").GetString())));
        var done = EventReader.Data(ndjson[^1]);
        Assert.True(done.GetProperty("done").GetBoolean());
        Assert.Equal("length", done.GetProperty("finish_reason").GetString());
        Assert.Equal(24, done.GetProperty("usage").GetProperty("completion_tokens").GetInt32());

        var sse = await ReadStreamAsync(client, "/chat/stream", $"{{\"message\":\"Hello there\",{Sampling}}}", sse: true);
        Assert.Equal(expected, string.Concat(sse.Where(e => EventReader.Field(e, "event") == "token").Select(e => EventReader.Data(e).GetProperty("token").GetString())));
        Assert.Equal("done", EventReader.Field(sse[^1], "event"));

        var openAi = await PostJsonAsync(client, "/v1/chat/completions", $"{{\"messages\":[{{\"role\":\"user\",\"content\":\"Hello there\"}}],{Sampling}}}");
        Assert.Equal(expected, openAi.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        var chunks = await ReadStreamAsync(client, "/v1/chat/completions", $"{{\"messages\":[{{\"role\":\"user\",\"content\":\"Hello there\"}}],\"stream\":true,\"stream_options\":{{\"include_usage\":true}},{Sampling}}}", sse: true);
        Assert.Equal("[DONE]", EventReader.Field(chunks[^1], "data"));
        var deltas = chunks.SkipLast(1).Select(EventReader.Data).ToList();
        Assert.Equal(expected, string.Concat(deltas.Where(d => d.GetProperty("choices").GetArrayLength() > 0)
            .Select(d => d.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var c) ? c.GetString() : "")));
        Assert.Equal(24, deltas[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Hundred_aborted_streams_leave_no_running_sequence_in_the_real_engine()
    {
        // A long context so that no stream can finish on its own before its client hangs up.
        var build = TestModels.Build(DecoderPresets.Tiny with { Context = 4096 });
        // Leaving cancels at once here: no disconnect grace period to wait for a resume.
        await using var host = await RealModelGateway.StartAsync(build.Directory, settings: new Dictionary<string, string?> { ["Streams:DisconnectGraceSeconds"] = "0" });
        var engine = RealModelGateway.Engine(host);
        using var client = host.CreateClient();

        for (var round = 0; round < 10; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => AbortAfterFirstTokenAsync(client))).WaitAsync(Timeout);
        }

        await RealModelGateway.WaitForAsync(() => engine.RunningSequences == 0 && engine.WaitingSequences == 0);
        var counters = ((DecoderEngine)engine).Counters;
        Assert.Equal(counters.KvCachesCreated, counters.KvCachesReleased);
        Assert.True(counters.CancelledSequences >= 100, $"cancelled {counters.CancelledSequences}");
        Assert.True(await host.ReadMetricAsync("gateway_cancelled_tokens_total") > 0);
        Assert.Equal(0, await host.ReadMetricAsync("gateway_active_streams", "transport", "ndjson"));
        using var ready = await client.GetAsync("/ready").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static async Task AbortAfterFirstTokenAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chat/stream")
        {
            Content = new StringContent("""{"message":"go","max_tokens":4000,"ignore_eos":true}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse: false);
        Assert.NotNull(await events.NextAsync());
    }

    internal static async Task<JsonElement> PostJsonAsync(HttpClient client, string route, string json)
    {
        using var response = await client.PostAsync(route, new StringContent(json, Encoding.UTF8, "application/json")).WaitAsync(Timeout);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
        Assert.True(response.IsSuccessStatusCode, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static async Task<List<string>> ReadStreamAsync(HttpClient client, string route, string json, bool sse)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, route) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (sse)
        {
            request.Headers.Accept.ParseAdd("text/event-stream");
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var events = new EventReader(await response.Content.ReadAsStreamAsync().WaitAsync(Timeout), sse);
        return await events.RestAsync();
    }
}
