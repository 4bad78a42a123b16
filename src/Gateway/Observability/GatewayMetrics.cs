using Chat.Inference.Engine;
using Prometheus;

namespace Chat.Gateway.Observability;

/// <summary>
/// The gateway's Prometheus instruments (names in METRICS.md). Created on the registry the host
/// registers (<see cref="Metrics.DefaultRegistry"/> in production, a private one per in-process test host).
/// Label values stay few: route patterns, transports, outcomes and the model id.
/// </summary>
public sealed class GatewayMetrics
{
    // Token latencies on CPU range from a few ms (decode) to seconds (long prefill).
    private static readonly double[] LatencyBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private static readonly double[] RequestBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

    private readonly Gauge _modelInfo;

    public GatewayMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(registry);
        TimeToFirstToken = factory.CreateHistogram("gateway_time_to_first_token_seconds",
            "Time from submitting a generation to its first generated token.", new HistogramConfiguration { Buckets = LatencyBuckets });
        InterTokenLatency = factory.CreateHistogram("gateway_inter_token_latency_seconds",
            "Time between consecutive generated tokens of one stream.", new HistogramConfiguration { Buckets = LatencyBuckets });
        QueueTime = factory.CreateHistogram("gateway_queue_time_seconds",
            "Time a generation waited for a scheduler slot (reported by the engine).", new HistogramConfiguration { Buckets = LatencyBuckets });
        RequestDuration = factory.CreateHistogram("gateway_request_duration_seconds",
            "End-to-end latency of a generation request, by route.", new HistogramConfiguration { LabelNames = ["route"], Buckets = RequestBuckets });
        PromptTokens = factory.CreateCounter("gateway_prompt_tokens_total", "Prompt tokens submitted to the engine.");
        GenerationTokens = factory.CreateCounter("gateway_generation_tokens_total", "Tokens generated, including those of cancelled streams.");
        CancelledTokens = factory.CreateCounter("gateway_cancelled_tokens_total", "Tokens generated for streams that were cancelled before they finished.");
        ActiveStreams = factory.CreateGauge("gateway_active_streams", "Streaming responses in progress, by transport.", new GaugeConfiguration { LabelNames = ["transport"] });
        Requests = factory.CreateCounter("gateway_requests_total", "Generation requests by route and outcome.", new CounterConfiguration { LabelNames = ["route", "outcome"] });
        _modelInfo = factory.CreateGauge("gateway_model_info", "The loaded chat model (value 1).", new GaugeConfiguration { LabelNames = ["model", "type", "context_length"] });
    }

    public CollectorRegistry Registry { get; }

    public Histogram TimeToFirstToken { get; }

    public Histogram InterTokenLatency { get; }

    public Histogram QueueTime { get; }

    public Histogram RequestDuration { get; }

    public Counter PromptTokens { get; }

    public Counter GenerationTokens { get; }

    public Counter CancelledTokens { get; }

    public Gauge ActiveStreams { get; }

    public Counter Requests { get; }

    public void SetModelInfo(ModelDescriptor model) =>
        _modelInfo.WithLabels(model.Id, model.Type, model.ContextLength.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(1);

    /// <summary>Token counts of one finished generation; a cancelled one also counts as wasted tokens.</summary>
    public void RecordUsage(int promptTokens, int completionTokens, TimeSpan? queueTime, bool cancelled)
    {
        PromptTokens.Inc(promptTokens);
        GenerationTokens.Inc(completionTokens);
        if (queueTime is { } queued)
        {
            QueueTime.Observe(queued.TotalSeconds);
        }

        if (cancelled)
        {
            CancelledTokens.Inc(completionTokens);
        }
    }
}
