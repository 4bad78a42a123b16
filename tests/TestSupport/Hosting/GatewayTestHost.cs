using Chat.Gateway.Health;
using Chat.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace Chat.TestSupport.Hosting;

/// <summary>
/// The gateway in-process on a real Kestrel bound to 127.0.0.1 on a free port, built from the same
/// <c>AddGateway()</c> / <c>MapGatewayEndpoints()</c> as Program.cs. Tests override services after
/// <c>AddGateway()</c> (typically the engine, with <c>AddChatEngine</c>). Each host has its own metrics
/// registry, so concurrently running hosts do not see each other's counters.
/// </summary>
public sealed class GatewayTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayTestHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public IServiceProvider Services => _app.Services;

    public CollectorRegistry Metrics => _app.Services.GetRequiredService<CollectorRegistry>();

    public static async Task<GatewayTestHost> StartAsync(
        IReadOnlyDictionary<string, string?> settings,
        Action<IServiceCollection> configureServices,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = RepositoryPaths.Root,
            EnvironmentName = Environments.Development,
        });
        var configuration = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Urls"] = "http://127.0.0.1:0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            configuration[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddSingleton(Prometheus.Metrics.NewCustomRegistry());
        builder.AddGateway();
        configureServices(builder.Services);

        var app = builder.Build();
        app.MapGatewayEndpoints();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayTestHost(app, new Uri(address));
    }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };

    /// <summary>Waits until every readiness component is ready (the background model load finished).</summary>
    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var tracker = _app.Services.GetRequiredService<ReadinessTracker>();
        using var cancellation = new CancellationTokenSource(timeout);
        while (!tracker.IsReady)
        {
            if (tracker.Snapshot().FirstOrDefault(c => c.State == ReadinessState.Failed) is { } failed)
            {
                throw new InvalidOperationException($"{failed.Component}: {failed.Detail}");
            }

            await Task.Delay(10, cancellation.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The current value of a metric sample, e.g. <c>("gateway_active_streams", "transport", "ndjson")</c>; 0 when absent.</summary>
    public async Task<double> ReadMetricAsync(string name, params string[] labelPairs)
    {
        using var stream = new MemoryStream();
        await Metrics.CollectAndExportAsTextAsync(stream).ConfigureAwait(false);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var labels = new List<string>();
        for (var i = 0; i + 1 < labelPairs.Length; i += 2)
        {
            labels.Add($"{labelPairs[i]}=\"{labelPairs[i + 1]}\"");
        }

        var total = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith('#') || !(line.StartsWith(name + " ", StringComparison.Ordinal) || line.StartsWith(name + "{", StringComparison.Ordinal)))
            {
                continue;
            }

            if (labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            {
                total += double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
