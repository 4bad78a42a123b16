using System.Net;
using Chat.TestSupport.Classification;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Predict;

public sealed class PredictStartupTests
{
    [Theory]
    [InlineData("Predict:MaxBatchItems", "0")]
    [InlineData("Predict:MicroBatch:MaxWaitMicroseconds", "-5")]
    [InlineData("Predict:MicroBatch:MaxBatchSize", "many")]
    [InlineData("Classifiers:Path", "/nonexistent/classifiers")]
    [InlineData("Classifiers:Default", "")]
    public async Task Bad_config_stops_startup_naming_the_key(string key, string value)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            GatewayProcess.StartAsync(new Dictionary<string, string?> { [key] = value }).WaitAsync(TimeSpan.FromSeconds(120)));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Readiness_fails_naming_the_default_when_it_is_not_loaded()
    {
        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Classifiers:Path"] = BreastCancerData.ClassifiersRoot,
            ["Classifiers:Default"] = "iris",
        }).WaitAsync(TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = PredictHttp.Timeout };

        var deadline = DateTime.UtcNow + PredictHttp.Timeout;
        string body;
        while (true)
        {
            using var ready = await client.GetAsync(new Uri("/ready", UriKind.Relative)).WaitAsync(PredictHttp.Timeout);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            body = await ready.Content.ReadAsStringAsync().WaitAsync(PredictHttp.Timeout);
            if (body.Contains("failed", StringComparison.Ordinal) || DateTime.UtcNow > deadline)
            {
                break;
            }

            await Task.Delay(50).WaitAsync(PredictHttp.Timeout);
        }

        Assert.Contains("Classifiers:Default", body, StringComparison.Ordinal);
        var (status, _, _) = await PredictHttp.PostAsync(client, "/predict", "{\"features\":" + PredictHttp.Row(BreastCancerData.Rows[0]) + "}");
        Assert.Equal(HttpStatusCode.NotFound, status);
    }
}
