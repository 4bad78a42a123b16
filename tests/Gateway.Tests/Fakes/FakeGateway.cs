using Chat.Gateway.Engine;
using Chat.Inference.Engine;
using Chat.TestSupport.Hosting;

namespace Chat.Gateway.Tests.Fakes;

/// <summary>A gateway on real Kestrel serving a <see cref="FakeGenerationEngine"/> through the real pipeline.</summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private FakeGateway(GatewayTestHost host, FakeGenerationEngine engine, Func<FakeEngineChatClient?> client)
    {
        Host = host;
        Engine = engine;
        _client = client;
    }

    private readonly Func<FakeEngineChatClient?> _client;

    public GatewayTestHost Host { get; }

    public FakeGenerationEngine Engine { get; }

    public FakeEngineChatClient ChatClient => _client() ?? throw new InvalidOperationException("The engine's chat client was not created yet.");

    public static async Task<FakeGateway> StartAsync(FakeGenerationEngine? engine = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        engine ??= new FakeGenerationEngine();
        FakeEngineChatClient? client = null;
        var host = await GatewayTestHost.StartAsync(
            settings ?? new Dictionary<string, string?>(),
            services => services.AddChatEngine(
                (_, _) => Task.FromResult<IGenerationEngine>(engine),
                loaded => client = new FakeEngineChatClient(loaded))).WaitAsync(Timeout);
        await host.WaitUntilReadyAsync(Timeout);
        return new FakeGateway(host, engine, () => client);
    }

    public HttpClient CreateClient() => Host.CreateClient();

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
