using System.Diagnostics;
using Chat.Gateway.Predict.Contracts;
using Chat.Inference.Classification;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Predict.Internal;

/// <summary>Handlers of <c>POST /predict</c>, <c>/predict/batch</c> and their per-model forms.</summary>
internal static partial class PredictEndpoints
{
    public const string VersionHeader = "X-Model-Version";

    public static Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictDefaultAsync(
        HttpContext http, PredictionService service, IOptions<PredictOptions> options, ILogger<PredictionService> logger, CancellationToken cancellationToken) =>
        PredictAsync(http, null, service, options.Value, logger, cancellationToken);

    public static Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictModelAsync(
        string model, HttpContext http, PredictionService service, IOptions<PredictOptions> options, ILogger<PredictionService> logger, CancellationToken cancellationToken) =>
        PredictAsync(http, model, service, options.Value, logger, cancellationToken);

    public static Task<Results<Ok<BatchPredictResponse>, ProblemHttpResult>> PredictBatchDefaultAsync(
        HttpContext http, PredictionService service, IOptions<PredictOptions> options, ILogger<PredictionService> logger, CancellationToken cancellationToken) =>
        PredictBatchAsync(http, null, service, options.Value, logger, cancellationToken);

    public static Task<Results<Ok<BatchPredictResponse>, ProblemHttpResult>> PredictBatchModelAsync(
        string model, HttpContext http, PredictionService service, IOptions<PredictOptions> options, ILogger<PredictionService> logger, CancellationToken cancellationToken) =>
        PredictBatchAsync(http, model, service, options.Value, logger, cancellationToken);

    private static async Task<Results<Ok<PredictResponse>, ProblemHttpResult>> PredictAsync(
        HttpContext http, string? name, PredictionService service, PredictOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var inFlight = service.Track();
        var (refusal, model, row, _) = await ReadRequestAsync(http, name, batch: false, service, options, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        float[] probabilities;
        bool cached;
        try
        {
            (probabilities, cached) = await service.PredictOneAsync(model, row, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(http, service, model, e, logger) is { } failure)
        {
            return failure;
        }

        http.Response.Headers["X-Cache"] = cached ? "hit" : "miss";
        service.Metrics.Predictions.WithLabels(model.Name, model.Version, "ok").Inc();
        var result = Result(model, probabilities);
        return TypedResults.Ok(new PredictResponse(result.Prediction, result.Label, result.Confidence, result.Probabilities, model.Name, model.Version, Milliseconds(started)));
    }

    private static async Task<Results<Ok<BatchPredictResponse>, ProblemHttpResult>> PredictBatchAsync(
        HttpContext http, string? name, PredictionService service, PredictOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var inFlight = service.Track();
        var (refusal, model, features, rows) = await ReadRequestAsync(http, name, batch: true, service, options, cancellationToken).ConfigureAwait(false);
        if (refusal is not null)
        {
            return refusal;
        }

        float[] probabilities;
        try
        {
            probabilities = await service.PredictManyAsync(model, features, rows, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failure(http, service, model, e, logger) is { } failure)
        {
            return failure;
        }

        service.Metrics.Predictions.WithLabels(model.Name, model.Version, "ok").Inc(rows);
        var labels = model.LabelCount;
        var results = new PredictionResult[rows];
        for (var r = 0; r < results.Length; r++)
        {
            results[r] = Result(model, probabilities.AsSpan(r * labels, labels));
        }

        return TypedResults.Ok(new BatchPredictResponse(results, model.Name, model.Version, Milliseconds(started)));
    }

    /// <summary>
    /// Resolves the model, then reads the body into rows (one row for <c>features</c>, up to
    /// Predict:MaxBatchItems for <c>items</c>); a refusal is the problem to answer instead.
    /// </summary>
    private static async Task<(ProblemHttpResult? Refusal, ClassifierModel Model, float[] Features, int Rows)> ReadRequestAsync(
        HttpContext http, string? name, bool batch, PredictionService service, PredictOptions options, CancellationToken cancellationToken)
    {
        if (Resolve(http, name, service) is not { } model)
        {
            return (ResolveProblem(http, name, service), null!, [], 0);
        }

        var (problem, parsed) = await RequestBody.ReadJsonAsync(
            http.Request,
            options.MaxBodyBytes,
            (Model: model, MaxItems: batch ? options.MaxBatchItems : 0),
            static (body, s) => s.MaxItems == 0
                ? (Error: PredictRequestReader.ReadSingle(body, s.Model, out var row), Features: row, Rows: 1)
                : (Error: PredictRequestReader.ReadBatch(body, s.Model, s.MaxItems, out var features, out var rows), Features: features, Rows: rows),
            cancellationToken).ConfigureAwait(false);
        return (Refused(service, model, problem, parsed.Error), model, parsed.Features, parsed.Rows);
    }

    /// <summary>The model named by the route (or the default) at the version asked by query or header (or the newest).</summary>
    private static ClassifierModel? Resolve(HttpContext http, string? name, PredictionService service) =>
        service.Registry.TryGet(name ?? service.DefaultModel, RequestedVersion(http), out var model) ? model : null;

    private static string? RequestedVersion(HttpContext http)
    {
        var query = http.Request.Query["version"];
        if (query.Count > 0 && !string.IsNullOrEmpty(query[0]))
        {
            return query[0];
        }

        var header = http.Request.Headers[VersionHeader];
        return header.Count > 0 && !string.IsNullOrEmpty(header[0]) ? header[0] : null;
    }

    private static ProblemHttpResult ResolveProblem(HttpContext http, string? name, PredictionService service)
    {
        name ??= service.DefaultModel;
        if (!service.Loaded)
        {
            return Refuse(service.Metrics, "not_ready", PredictProblems.Unavailable(http.Response, "Classifiers are still loading."));
        }

        var versions = service.Registry.Versions(name);
        if (versions.Count == 0)
        {
            return Refuse(service.Metrics, "not_found", PredictProblems.NotFound($"No classifier named '{name}'. Loaded: [{string.Join(", ", service.Registry.Names)}]."));
        }

        return Refuse(service.Metrics, "not_found", PredictProblems.NotFound(
            $"Classifier '{name}' has no version '{RequestedVersion(http)}'. Loaded versions: [{string.Join(", ", versions.Select(v => v.Version))}]."));
    }

    private static ProblemHttpResult Refuse(PredictMetrics metrics, string outcome, ProblemHttpResult problem)
    {
        metrics.Predictions.WithLabels(PredictMetrics.Unknown, PredictMetrics.Unknown, outcome).Inc();
        return problem;
    }

    private static ProblemHttpResult? Refused(PredictionService service, ClassifierModel model, ProblemHttpResult? problem, PredictInputError? error)
    {
        if (problem is null && error is null)
        {
            return null;
        }

        var outcome = problem?.StatusCode == StatusCodes.Status413PayloadTooLarge ? "too_large" : "invalid";
        service.Metrics.Predictions.WithLabels(model.Name, model.Version, outcome).Inc();
        return problem ?? PredictProblems.Invalid(error!);
    }

    private static ProblemHttpResult? Failure(HttpContext http, PredictionService service, ClassifierModel model, Exception exception, ILogger logger)
    {
        if (exception is OperationCanceledException)
        {
            return null;
        }

        if (exception is PredictOverloadedException overloaded)
        {
            service.Metrics.Predictions.WithLabels(model.Name, model.Version, "overloaded").Inc();
            return PredictProblems.Unavailable(http.Response, overloaded.Message);
        }

        PredictLog.PredictionFailed(logger, exception, model.Name, model.Version);
        service.Metrics.Predictions.WithLabels(model.Name, model.Version, "error").Inc();
        return PredictProblems.Failed();
    }

    private static PredictionResult Result(ClassifierModel model, ReadOnlySpan<float> probabilities)
    {
        var labels = model.Metadata.Labels;
        var best = 0;
        var byLabel = new Dictionary<string, float>(labels.Count, StringComparer.Ordinal);
        for (var c = 0; c < labels.Count; c++)
        {
            byLabel[labels[c]] = probabilities[c];
            if (probabilities[c] > probabilities[best])
            {
                best = c;
            }
        }

        return new PredictionResult(best, labels[best], probabilities[best], byLabel);
    }

    private static double Milliseconds(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
}
