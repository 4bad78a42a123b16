using Prometheus;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Prometheus series of the predict path. Labels carry only loaded model names and versions (or
/// <c>unknown</c>), never request input, so their number stays small. Registered on the host's
/// <see cref="CollectorRegistry"/> (the one <c>/metrics</c> serves), like the gateway's own series.
/// </summary>
internal sealed class PredictMetrics
{
    public const string Unknown = "unknown";

    public PredictMetrics(CollectorRegistry registry)
    {
        var factory = Metrics.WithCustomRegistry(registry);
        Predictions = factory.CreateCounter(
            "predict_predictions_total",
            "Predictions (rows) answered, and requests refused, by model, version and outcome.",
            new CounterConfiguration { LabelNames = ["model", "version", "outcome"] });
        InferenceCalls = factory.CreateCounter(
            "predict_inference_calls_total",
            "ONNX Runtime calls made for predictions (one per micro-batch).",
            new CounterConfiguration { LabelNames = ["model", "version"] });
        InferenceDuration = factory.CreateHistogram(
            "predict_inference_duration_seconds",
            "Duration of one ONNX Runtime call for a micro-batch.",
            new HistogramConfiguration { LabelNames = ["model", "version"], Buckets = Histogram.ExponentialBuckets(0.000_005, 2, 16) });
        BatchSize = factory.CreateHistogram(
            "predict_batch_size",
            "Rows per ONNX Runtime call after micro-batching.",
            new HistogramConfiguration { LabelNames = ["model", "version"], Buckets = Histogram.ExponentialBuckets(1, 2, 12) });
        CacheHits = factory.CreateCounter(
            "predict_cache_hits_total",
            "Predictions answered from the prediction cache (memory or Redis).",
            new CounterConfiguration { LabelNames = ["model", "version"] });
        CacheMisses = factory.CreateCounter(
            "predict_cache_misses_total",
            "Predictions computed because the cache held no answer.",
            new CounterConfiguration { LabelNames = ["model", "version"] });
    }

    /// <summary>Predicted rows by outcome <c>ok</c>; refused requests by <c>invalid</c>, <c>not_found</c>, <c>too_large</c>, <c>not_ready</c>, <c>overloaded</c>, <c>error</c>.</summary>
    public Counter Predictions { get; }

    public Counter InferenceCalls { get; }

    public Histogram InferenceDuration { get; }

    public Histogram BatchSize { get; }

    public Counter CacheHits { get; }

    public Counter CacheMisses { get; }
}
