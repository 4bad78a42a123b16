using Chat.Gateway.Health;
using Chat.Inference.Classification;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Loads every classifier version at start (readiness component <c>classifiers</c> stays loading until
/// then), then rescans the folder every <c>Classifiers:RescanSeconds</c> so a new version folder is
/// served without a restart while the loaded ones keep answering. Readiness fails when a folder
/// present at start cannot be loaded or the default model is absent; later broken folders are logged.
/// </summary>
internal sealed class ClassifierLoader(
    PredictionService service,
    ReadinessTracker readiness,
    IOptions<ClassifierOptions> options,
    ILogger<ClassifierLoader> logger) : BackgroundService
{
    public const string Component = "classifiers";

    private readonly Dictionary<string, string> _startupFailures = new(StringComparer.Ordinal);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before the server listens, so /ready never reports ready without the classifiers.
        readiness.MarkLoading(Component);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        Scan(initial: true);
        service.MarkLoaded();
        if (options.Value.RescanSeconds == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.RescanSeconds));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                Scan(initial: false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private void Scan(bool initial)
    {
        var registry = service.Registry;
        ClassifierRefreshResult result;
        try
        {
            result = registry.Refresh();
        }
        catch (DirectoryNotFoundException e)
        {
            NotReady("Classifiers:Path: " + e.Message);
            return;
        }

        foreach (var model in result.Loaded)
        {
            PredictLog.ClassifierLoaded(logger, model.Name, model.Version, model.Metadata.Sequence, model.Folder);
            _startupFailures.Remove(model.Folder);
        }

        foreach (var failure in result.Failures)
        {
            PredictLog.ClassifierLoadFailed(logger, failure.Folder, failure.Reason);
            if (initial)
            {
                _startupFailures[failure.Folder] = failure.Reason;
            }
        }

        if (_startupFailures.Count > 0)
        {
            NotReady(string.Join("; ", _startupFailures.Values));
        }
        else if (!registry.TryGet(service.DefaultModel, null, out _))
        {
            NotReady($"Classifiers:Default '{service.DefaultModel}' is not among the loaded classifiers [{string.Join(", ", registry.Names)}] under {registry.Root}");
        }
        else
        {
            var ids = registry.Names.SelectMany(registry.Versions).Select(m => m.Name + "@" + m.Version);
            readiness.MarkReady(Component, string.Join(",", ids));
        }
    }

    private void NotReady(string reason)
    {
        PredictLog.ClassifiersNotReady(logger, reason);
        readiness.MarkFailed(Component, reason);
    }
}
