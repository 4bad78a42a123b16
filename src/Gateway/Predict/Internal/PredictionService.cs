using System.Collections.Concurrent;
using Chat.Inference.Classification;
using Microsoft.Extensions.Options;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// The serving side of the classifier registry: resolves a model version, answers from the cache
/// or sends the rows through that version's micro-batcher.
/// </summary>
internal sealed class PredictionService(
    ClassifierRegistry registry,
    PredictionCache cache,
    IOptions<ClassifierOptions> classifierOptions,
    IOptions<PredictOptions> predictOptions,
    IOptions<MicroBatchOptions> microBatchOptions,
    PredictMetrics metrics) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ClassifierModel, Lazy<MicroBatcher>> _batchers = new();
    private volatile bool _loaded;
    private int _requestsInFlight;

    public ClassifierRegistry Registry => registry;

    public PredictMetrics Metrics => metrics;

    public string DefaultModel => classifierOptions.Value.Default;

    /// <summary>False until the first scan of the classifiers folder has finished.</summary>
    public bool Loaded => _loaded;

    public void MarkLoaded() => _loaded = true;

    /// <summary>Counts a predict request as in flight until the returned scope ends (the micro-batchers' "anyone else coming?").</summary>
    public InFlightScope Track() => new(this);

    /// <summary>Probabilities for one row, and whether the cache answered.</summary>
    public async Task<(float[] Probabilities, bool Cached)> PredictOneAsync(ClassifierModel model, float[] row, CancellationToken cancellationToken)
    {
        if (!cache.Enabled)
        {
            return (await ComputeAsync(model, row, 1).ConfigureAwait(false), false);
        }

        var (probabilities, hit) = await cache.GetOrComputeAsync(PredictionCache.Key(model, row), () => ComputeAsync(model, row, 1), cancellationToken).ConfigureAwait(false);
        (hit ? metrics.CacheHits : metrics.CacheMisses).WithLabels(model.Name, model.Version).Inc();
        return (probabilities, hit);
    }

    /// <summary>Probabilities for <paramref name="rows"/> rows (rows x labels), computing only the rows the cache lacks, in one call.</summary>
    public async Task<float[]> PredictManyAsync(ClassifierModel model, float[] features, int rows, CancellationToken cancellationToken)
    {
        var width = model.FeatureCount;
        var labels = model.LabelCount;
        if (!cache.Enabled)
        {
            return await ComputeAsync(model, features, rows).ConfigureAwait(false);
        }

        var keys = new string[rows];
        var lookups = new Task<float[]?>[rows];
        for (var r = 0; r < rows; r++)
        {
            keys[r] = PredictionCache.Key(model, features.AsSpan(r * width, width));
            lookups[r] = cache.TryGetAsync(keys[r], cancellationToken).AsTask();
        }

        var cached = await Task.WhenAll(lookups).ConfigureAwait(false);
        var misses = Enumerable.Range(0, rows).Where(r => cached[r] is null).ToArray();
        metrics.CacheHits.WithLabels(model.Name, model.Version).Inc(rows - misses.Length);
        metrics.CacheMisses.WithLabels(model.Name, model.Version).Inc(misses.Length);

        var result = new float[rows * labels];
        for (var r = 0; r < rows; r++)
        {
            cached[r]?.CopyTo(result, r * labels);
        }

        if (misses.Length == 0)
        {
            return result;
        }

        var missFeatures = new float[misses.Length * width];
        for (var i = 0; i < misses.Length; i++)
        {
            features.AsSpan(misses[i] * width, width).CopyTo(missFeatures.AsSpan(i * width));
        }

        var computed = await ComputeAsync(model, missFeatures, misses.Length).ConfigureAwait(false);
        var stores = new Task[misses.Length];
        for (var i = 0; i < misses.Length; i++)
        {
            var probabilities = computed.AsSpan(i * labels, labels);
            probabilities.CopyTo(result.AsSpan(misses[i] * labels));
            stores[i] = cache.SetAsync(keys[misses[i]], probabilities, cancellationToken).AsTask();
        }

        await Task.WhenAll(stores).ConfigureAwait(false);
        return result;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var batcher in _batchers.Values.Where(b => b.IsValueCreated))
        {
            await batcher.Value.DisposeAsync().ConfigureAwait(false);
        }
    }

    private Task<float[]> ComputeAsync(ClassifierModel model, float[] features, int rows)
    {
        var batcher = _batchers.GetOrAdd(model, m => new Lazy<MicroBatcher>(() => new MicroBatcher(m, microBatchOptions.Value, predictOptions.Value.MaxBatchItems, () => Volatile.Read(ref _requestsInFlight), metrics))).Value;
        return batcher.TryPredict(features, rows) ?? throw new PredictOverloadedException(model);
    }

    internal readonly struct InFlightScope : IDisposable
    {
        private readonly PredictionService _service;

        public InFlightScope(PredictionService service)
        {
            _service = service;
            Interlocked.Increment(ref service._requestsInFlight);
        }

        public void Dispose() => Interlocked.Decrement(ref _service._requestsInFlight);
    }
}
