using System.Net;
using System.Net.Http.Headers;
using Chat.TestSupport.Classification;

namespace Chat.Gateway.Tests.Predict;

[Collection(PredictGatewayCollection.Name)]
public sealed class PredictTests(PredictGatewayFixture gateway)
{
    private HttpClient Client => gateway.Client;

    [Fact]
    public async Task Every_dataset_row_in_batches_equals_the_reference_in_order()
    {
        var rows = BreastCancerData.Rows;
        for (var start = 0; start < rows.Length; start += 256)
        {
            var chunk = rows[start..Math.Min(start + 256, rows.Length)];
            var body = "{\"items\":[" + string.Join(",", chunk.Select((r, i) => i % 2 == 0 ? PredictHttp.Row(r) : PredictHttp.Named(r))) + "]}";

            var (status, json, _) = await PredictHttp.PostAsync(Client, "/predict/batch", body);

            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal(BreastCancerData.ModelName, json.GetProperty("model").GetString());
            Assert.Equal(gateway.Version, json.GetProperty("model_version").GetString());
            var results = json.GetProperty("results");
            Assert.Equal(chunk.Length, results.GetArrayLength());
            for (var i = 0; i < chunk.Length; i++)
            {
                PredictHttp.AssertMatches(gateway.Reference, chunk[i], results[i]);
            }
        }
    }

    [Theory]
    [InlineData("/predict", false)]
    [InlineData("/api/v1/predict", true)]
    [InlineData("/predict/breast-cancer", false)]
    [InlineData("/api/v1/predict/breast-cancer", true)]
    public async Task Single_predictions_by_position_or_name_equal_the_reference(string path, bool named)
    {
        foreach (var row in BreastCancerData.Rows.Where((_, i) => i % 57 == (named ? 3 : 5)))
        {
            var (status, json, _) = await PredictHttp.PostAsync(Client, path, "{\"features\":" + (named ? PredictHttp.Named(row) : PredictHttp.Row(row)) + "}");

            Assert.Equal(HttpStatusCode.OK, status);
            PredictHttp.AssertMatches(gateway.Reference, row, json);
            Assert.Equal(BreastCancerData.ModelName, json.GetProperty("model").GetString());
            Assert.Equal(gateway.Version, json.GetProperty("model_version").GetString());
            Assert.True(json.GetProperty("latency_ms").GetDouble() >= 0);
        }
    }

    [Fact]
    public async Task Concurrent_single_requests_share_inference_calls_and_get_their_own_answers()
    {
        // Rows scaled by a factor no other test uses, so none of them is in the cache.
        var rows = BreastCancerData.Rows.Take(64).Select(r => r.Select(v => v * 1.0001f).ToArray()).ToArray();
        var callsBefore = await PredictHttp.MetricAsync(Client, "predict_inference_calls_total");

        // Open the connections first, so the burst below reaches the server together.
        await Task.WhenAll(Enumerable.Range(0, rows.Length).Select(async _ =>
        {
            using var response = await Client.GetAsync(new Uri("/health", UriKind.Relative));
        })).WaitAsync(PredictHttp.Timeout);
        var answers = await Task.WhenAll(rows.Select(r => PredictHttp.PostAsync(Client, "/predict", "{\"features\":" + PredictHttp.Row(r) + "}"))).WaitAsync(PredictHttp.Timeout);

        var calls = await PredictHttp.MetricAsync(Client, "predict_inference_calls_total") - callsBefore;
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(HttpStatusCode.OK, answers[i].Status);
            PredictHttp.AssertMatches(gateway.Reference, rows[i], answers[i].Body);
        }

        Assert.True(calls >= 1 && calls < rows.Length, $"{rows.Length} concurrent requests took {calls} inference calls");
        Assert.True(await PredictHttp.MetricAsync(Client, "predict_batch_size_count") >= calls);
    }

    [Fact]
    public async Task A_repeated_prediction_is_answered_from_the_cache()
    {
        var row = BreastCancerData.Rows[100].Select(v => v * 0.9993f).ToArray();
        var body = "{\"features\":" + PredictHttp.Row(row) + "}";
        var hitsBefore = await PredictHttp.MetricAsync(Client, "predict_cache_hits_total");
        var callsBefore = await PredictHttp.MetricAsync(Client, "predict_inference_calls_total");

        var first = await PredictHttp.PostAsync(Client, "/predict", body);
        var second = await PredictHttp.PostAsync(Client, "/predict", body);
        var batch = await PredictHttp.PostAsync(Client, "/predict/batch", "{\"items\":[" + PredictHttp.Row(row) + "]}");

        Assert.Equal("miss", first.Response.Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", second.Response.Headers.GetValues("X-Cache").Single());
        PredictHttp.AssertMatches(gateway.Reference, row, second.Body);
        PredictHttp.AssertMatches(gateway.Reference, row, batch.Body.GetProperty("results")[0]);
        Assert.Equal(2, await PredictHttp.MetricAsync(Client, "predict_cache_hits_total") - hitsBefore);
        Assert.Equal(1, await PredictHttp.MetricAsync(Client, "predict_inference_calls_total") - callsBefore);
    }

    [Theory]
    [InlineData("/predict/no-such-model", null, null)]
    [InlineData("/api/v1/predict/no-such-model/batch", null, null)]
    [InlineData("/predict?version=000000000000", null, "000000000000")]
    [InlineData("/predict", "000000000000", "000000000000")]
    public async Task Unknown_model_or_version_is_404_problem(string path, string? header, string? version)
    {
        var body = path.EndsWith("/batch", StringComparison.Ordinal)
            ? "{\"items\":[" + PredictHttp.Row(BreastCancerData.Rows[0]) + "]}"
            : "{\"features\":" + PredictHttp.Row(BreastCancerData.Rows[0]) + "}";

        var (status, json, response) = await PredictHttp.PostAsync(Client, path, body, header);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(version ?? "no-such-model", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_version_can_be_named_by_query_or_header()
    {
        var body = "{\"features\":" + PredictHttp.Row(BreastCancerData.Rows[7]) + "}";

        var byQuery = await PredictHttp.PostAsync(Client, "/predict/breast-cancer?version=" + gateway.Version, body);
        var byHeader = await PredictHttp.PostAsync(Client, "/api/v1/predict", body, gateway.Version);

        Assert.Equal(gateway.Version, byQuery.Body.GetProperty("model_version").GetString());
        Assert.Equal(gateway.Version, byHeader.Body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Models_lists_classifiers_with_an_etag_and_answers_304_when_unchanged()
    {
        using var first = await Client.GetAsync(new Uri("/models", UriKind.Relative)).WaitAsync(PredictHttp.Timeout);
        var json = System.Text.Json.JsonDocument.Parse(await first.Content.ReadAsStringAsync().WaitAsync(PredictHttp.Timeout)).RootElement;
        var entry = json.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("id").GetString() == BreastCancerData.ModelName);
        Assert.Equal("classifier", entry.GetProperty("kind").GetString());
        Assert.Equal(gateway.Version, entry.GetProperty("default_version").GetString());
        var version = Assert.Single(entry.GetProperty("versions").EnumerateArray());
        Assert.Equal(30, version.GetProperty("metadata").GetProperty("features").GetArrayLength());
        Assert.Equal("no-cache", first.Headers.CacheControl?.ToString());
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/models");
        request.Headers.IfNoneMatch.Add(etag);
        using var second = await Client.SendAsync(request).WaitAsync(PredictHttp.Timeout);
        using var stale = new HttpRequestMessage(HttpMethod.Get, "/models");
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0000\""));
        using var third = await Client.SendAsync(stale).WaitAsync(PredictHttp.Timeout);

        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        Assert.Equal(etag, second.Headers.ETag);
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
    }
}
