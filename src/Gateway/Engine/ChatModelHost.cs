using Chat.Gateway.Health;
using Chat.Gateway.Observability;
using Chat.Gateway.Options;
using Chat.Inference.Engine;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Engine;

/// <summary>
/// Loads the chat model in the background so that <c>/health</c> answers at once, runs one short
/// warm-up generation through the engine's chat client, then publishes engine and client to the
/// request path and marks the <c>chat-model</c> readiness component ready with the model id
/// (or failed with the reason). Owns both for the process lifetime and disposes them at shutdown.
/// </summary>
public sealed partial class ChatModelHost : BackgroundService, IGenerationEngineProvider
{
    public const string ReadinessComponent = "chat-model";

    private readonly ChatEngineFactories? _factories;
    private readonly ChatModelOptions _options;
    private readonly ReadinessTracker _readiness;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger<ChatModelHost> _logger;

    // Published once by the loader; read by every request without locks.
    private volatile LoadedModel? _loaded;
    private volatile string _notReadyReason = "loading";

    public ChatModelHost(
        IServiceProvider services,
        IOptions<ChatModelOptions> options,
        ReadinessTracker readiness,
        GatewayMetrics metrics,
        ILogger<ChatModelHost> logger)
    {
        _factories = services.GetService<ChatEngineFactories>();
        _options = options.Value;
        _readiness = readiness;
        _metrics = metrics;
        _logger = logger;
        // Registered before the server accepts requests, so /ready never reports an empty component list.
        _readiness.MarkLoading(ReadinessComponent);
    }

    public bool IsReady => _loaded is not null;

    /// <summary>When the model became ready (the <c>created</c> time of <c>/v1/models</c>).</summary>
    public DateTimeOffset LoadedAt { get; private set; }

    public IGenerationEngine GetEngine() => (_loaded ?? throw NotReady()).Engine;

    public IChatClient GetChatClient() => (_loaded ?? throw NotReady()).ChatClient;

    private ChatModelNotReadyException NotReady() => new($"The chat model is not ready ({_notReadyReason}).");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // ExecuteAsync runs inline in StartAsync until its first await: leave the host's start path now.
        await Task.Yield();
        if (_factories is null)
        {
            Fail("no chat engine is registered (AddChatEngine)", exception: null);
            return;
        }

        IGenerationEngine? engine = null;
        IChatClient? client = null;
        try
        {
            LogLoading(_logger, _options.Path);
            engine = await _factories.LoadEngine(_options, stoppingToken).ConfigureAwait(false);
            client = _factories.CreateChatClient(engine);
            await WarmUpAsync(engine, stoppingToken).ConfigureAwait(false);

            LoadedAt = DateTimeOffset.UtcNow;
            _loaded = new LoadedModel(engine, client);
            _metrics.SetModelInfo(engine.Model);
            _readiness.MarkReady(ReadinessComponent, engine.Model.Id);
            LogReady(_logger, engine.Model.Id, engine.Model.ContextLength);
            if (engine is global::Chat.Inference.Engine.DecoderEngine decoder)
            {
                LogThreads(_logger, decoder.IntraOpThreads, decoder.SingleSequenceThreads);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            await DisposeAsync(client, engine).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await DisposeAsync(client, engine).ConfigureAwait(false);
            Fail(ex.Message, ex);
        }
    }

    /// <summary>
    /// One short generation from a single token id, so ORT has allocated and optimized before the
    /// first client arrives. It goes to the engine by id because some real folders ship a tokenizer
    /// whose vocabulary is larger than the model's (the reference gpt2 test model does).
    /// </summary>
    private async Task WarmUpAsync(IGenerationEngine engine, CancellationToken cancellationToken)
    {
        var bos = engine.Tokenizer.BosTokenId;
        var first = bos is { } id && id < engine.Model.VocabSize ? id : 0;
        var request = new GenerationRequest { PromptTokenIds = [first], MaxNewTokens = _options.WarmupTokens, IgnoreEos = true, ClientId = "warm-up" };
        await foreach (var _ in engine.GenerateAsync(request, cancellationToken).ConfigureAwait(false))
        {
        }
    }

    private void Fail(string reason, Exception? exception)
    {
        _notReadyReason = "failed: " + reason;
        _readiness.MarkFailed(ReadinessComponent, reason);
        LogFailed(_logger, reason, exception);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        var loaded = _loaded;
        _loaded = null;
        _notReadyReason = "stopping";
        if (loaded is not null)
        {
            await DisposeAsync(loaded.ChatClient, loaded.Engine).ConfigureAwait(false);
        }
    }

    private static async Task DisposeAsync(IChatClient? client, IGenerationEngine? engine)
    {
        client?.Dispose();
        switch (engine)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync().ConfigureAwait(false);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }

    private sealed record LoadedModel(IGenerationEngine Engine, IChatClient ChatClient);

    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Loading chat model from {Path}")]
    private static partial void LogLoading(ILogger logger, string path);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "Chat model {ModelId} loaded and warmed up (context {ContextLength} tokens)")]
    private static partial void LogReady(ILogger logger, string modelId, int contextLength);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "ONNX Runtime intra-op threads: {Threads} for batched and prompt calls, {SingleThreads} for a lone stream's decode step")]
    private static partial void LogThreads(ILogger logger, int threads, int singleThreads);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Chat model failed to load: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason, Exception? exception);
}
