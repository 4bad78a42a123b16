using Chat.Gateway.Engine;
using Chat.Inference.Engine;
using Chat.TestSupport.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Chat.Gateway.Tests.RealModel;

/// <summary>The real gateway on Kestrel (127.0.0.1) serving a real ONNX model folder through the production engine.</summary>
internal static class RealModelGateway
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static async Task<GatewayTestHost> StartAsync(string modelFolder, int maxBatchSize = 16, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var configuration = new Dictionary<string, string?>
        {
            ["ChatModel:Path"] = modelFolder,
            ["ChatModel:MaxBatchSize"] = maxBatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            configuration[key] = value;
        }

        var host = await GatewayTestHost.StartAsync(configuration, _ => { }).WaitAsync(Timeout);
        await host.WaitUntilReadyAsync(Timeout).WaitAsync(Timeout);
        return host;
    }

    public static IGenerationEngine Engine(GatewayTestHost host) =>
        host.Services.GetRequiredService<IGenerationEngineProvider>().GetEngine();

    public static async Task WaitForAsync(Func<bool> condition)
    {
        using var cancellation = new CancellationTokenSource(Timeout);
        while (!condition())
        {
            await Task.Delay(10, cancellation.Token);
        }
    }
}
