using System.Net;
using Chat.TestSupport.Classification;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Predict;

public sealed class PredictRedisTests
{
    [Fact]
    public async Task Two_gateways_sharing_redis_answer_a_repeat_from_the_cache()
    {
        await using var redis = await RedisServer.StartAsync().WaitAsync(PredictHttp.Timeout);
        var settings = new Dictionary<string, string?>
        {
            ["Classifiers:Path"] = BreastCancerData.ClassifiersRoot,
            ["Redis:Configuration"] = redis.Configuration,
        };
        await using var first = await GatewayProcess.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(120));
        await using var second = await GatewayProcess.StartAsync(settings).WaitAsync(TimeSpan.FromSeconds(120));
        using var a = new HttpClient { BaseAddress = first.BaseAddress, Timeout = PredictHttp.Timeout };
        using var b = new HttpClient { BaseAddress = second.BaseAddress, Timeout = PredictHttp.Timeout };
        await PredictHttp.WaitReadyAsync(a);
        await PredictHttp.WaitReadyAsync(b);
        var reference = ReferenceClassifier.Load(BreastCancerData.CommittedVersionFolder);
        var row = BreastCancerData.Rows[42];
        var body = "{\"features\":" + PredictHttp.Row(row) + "}";
        var batchRows = BreastCancerData.Rows[200..204];
        var batchBody = "{\"items\":[" + string.Join(",", batchRows.Select(PredictHttp.Row)) + "]}";

        var onA = await PredictHttp.PostAsync(a, "/predict", body);
        var batchOnA = await PredictHttp.PostAsync(a, "/predict/batch", batchBody);
        var onB = await PredictHttp.PostAsync(b, "/predict", body);
        var batchOnB = await PredictHttp.PostAsync(b, "/predict/batch", batchBody);

        Assert.Equal(HttpStatusCode.OK, onB.Status);
        Assert.Equal("miss", onA.Response.Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", onB.Response.Headers.GetValues("X-Cache").Single());
        PredictHttp.AssertMatches(reference, row, onB.Body);
        for (var i = 0; i < batchRows.Length; i++)
        {
            PredictHttp.AssertMatches(reference, batchRows[i], batchOnA.Body.GetProperty("results")[i]);
            PredictHttp.AssertMatches(reference, batchRows[i], batchOnB.Body.GetProperty("results")[i]);
        }

        Assert.Equal(5, await PredictHttp.MetricAsync(b, "predict_cache_hits_total"));
        Assert.Equal(0, await PredictHttp.MetricAsync(b, "predict_inference_calls_total"));
        Assert.Equal(5, await PredictHttp.MetricAsync(a, "predict_cache_misses_total"));
    }
}
