using Chat.TestSupport.Classification;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Predict;

/// <summary>
/// One real gateway (child process, Kestrel on 127.0.0.1) serving the committed classifiers, shared by
/// the predict test classes. The micro-batch window is long so concurrent requests reliably coalesce.
/// </summary>
public sealed class PredictGatewayFixture : IAsyncLifetime
{
    private GatewayProcess? _gateway;

    public HttpClient Client { get; private set; } = null!;

    public ReferenceClassifier Reference { get; } = ReferenceClassifier.Load(BreastCancerData.CommittedVersionFolder);

    public string Version { get; } = Path.GetFileName(BreastCancerData.CommittedVersionFolder);

    public async Task InitializeAsync()
    {
        _gateway = await GatewayProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Classifiers:Path"] = BreastCancerData.ClassifiersRoot,
            ["Classifiers:RescanSeconds"] = "0",
            ["Predict:MicroBatch:MaxWaitMicroseconds"] = "20000",
            ["Predict:MicroBatch:MaxBatchSize"] = "64",
            ["Predict:MaxBatchItems"] = "256",
            ["Predict:MaxBodyBytes"] = "160000",
        }).WaitAsync(TimeSpan.FromSeconds(120));
        Client = new HttpClient { BaseAddress = _gateway.BaseAddress, Timeout = PredictHttp.Timeout };
        await PredictHttp.WaitReadyAsync(Client);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }
    }
}
