using System.Net;
using Chat.ModelBuilder.Classifier;
using Chat.TestSupport.Classification;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Predict;

public sealed class PredictVersionTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("predict-versions-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task A_version_added_while_serving_becomes_the_default_and_the_first_stays_selectable()
    {
        var firstVersion = Path.GetFileName(BreastCancerData.CommittedVersionFolder);
        var modelRoot = Path.Combine(_root, BreastCancerData.ModelName);
        Directory.CreateDirectory(Path.Combine(modelRoot, firstVersion));
        foreach (var file in Directory.GetFiles(BreastCancerData.CommittedVersionFolder))
        {
            File.Copy(file, Path.Combine(modelRoot, firstVersion, Path.GetFileName(file)));
        }

        await using var gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Classifiers:Path"] = _root,
            ["Classifiers:RescanSeconds"] = "1",
        }).WaitAsync(TimeSpan.FromSeconds(120));
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = PredictHttp.Timeout };
        await PredictHttp.WaitReadyAsync(client);
        var row = BreastCancerData.Rows[13];
        var body = "{\"features\":" + PredictHttp.Row(row) + "}";
        Assert.Equal(firstVersion, (await PredictHttp.PostAsync(client, "/predict", body)).Body.GetProperty("model_version").GetString());

        Assert.Equal(0, ClassifierCommand.Run(["--data", BreastCancerData.CsvPath, "--out", modelRoot, "--epochs", "400", "--l2", "0.3"]));
        var secondFolder = Directory.GetDirectories(modelRoot).Single(d => Path.GetFileName(d) != firstVersion);
        var secondVersion = Path.GetFileName(secondFolder);
        await WaitUntilListedAsync(client, secondVersion);

        var byDefault = await PredictHttp.PostAsync(client, "/predict", body);
        var pinned = await PredictHttp.PostAsync(client, "/predict/breast-cancer?version=" + firstVersion, body);
        var pinnedByHeader = await PredictHttp.PostAsync(client, "/api/v1/predict/breast-cancer/batch", "{\"items\":[" + PredictHttp.Row(row) + "]}", firstVersion);

        Assert.Equal(HttpStatusCode.OK, byDefault.Status);
        Assert.Equal(secondVersion, byDefault.Body.GetProperty("model_version").GetString());
        PredictHttp.AssertMatches(ReferenceClassifier.Load(secondFolder), row, byDefault.Body);
        Assert.Equal(firstVersion, pinned.Body.GetProperty("model_version").GetString());
        PredictHttp.AssertMatches(ReferenceClassifier.Load(BreastCancerData.CommittedVersionFolder), row, pinned.Body);
        Assert.Equal(firstVersion, pinnedByHeader.Body.GetProperty("model_version").GetString());
        Assert.NotEqual(
            byDefault.Body.GetProperty("probabilities").GetProperty("benign").GetDouble(),
            pinned.Body.GetProperty("probabilities").GetProperty("benign").GetDouble());
        using var ready = await client.GetAsync(new Uri("/ready", UriKind.Relative)).WaitAsync(PredictHttp.Timeout);
        Assert.Contains(secondVersion, await ready.Content.ReadAsStringAsync().WaitAsync(PredictHttp.Timeout), StringComparison.Ordinal);
    }

    private static async Task WaitUntilListedAsync(HttpClient client, string version)
    {
        var deadline = DateTime.UtcNow + PredictHttp.Timeout;
        while (!(await client.GetStringAsync(new Uri("/models", UriKind.Relative)).WaitAsync(PredictHttp.Timeout)).Contains(version, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, $"version {version} was not picked up");
            await Task.Delay(100).WaitAsync(PredictHttp.Timeout);
        }
    }
}
