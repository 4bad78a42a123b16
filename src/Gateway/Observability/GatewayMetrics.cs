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
        ActiveConnections = factory.CreateGauge("gateway_active_connections", "Open realtime connections, by transport.", new GaugeConfiguration { LabelNames = ["transport"] });
        RegistryStreams = factory.CreateGauge("gateway_registry_streams", "Generations held by the stream registry, by state (live, finished).", new GaugeConfiguration { LabelNames = ["state"] });
        StreamBufferBytes = factory.CreateGauge("gateway_stream_buffer_bytes", "Approximate bytes held by the replay buffers of all streams.");
        StreamDisconnects = factory.CreateCounter("gateway_stream_disconnects_total", "Subscribers that left a stream before its end, by transport.", new CounterConfiguration { LabelNames = ["transport"] });
        StreamResumes = factory.CreateCounter("gateway_stream_resumes_total", "Attempts to attach to an existing stream, by transport and outcome.", new CounterConfiguration { LabelNames = ["transport", "outcome"] });
        ReplayedEvents = factory.CreateCounter("gateway_stream_replayed_events_total", "Events replayed from a buffer to a resuming subscriber, by transport.", new CounterConfiguration { LabelNames = ["transport"] });
        GraceCancellations = factory.CreateCounter("gateway_stream_grace_cancellations_total", "Generations cancelled because no client attached within the disconnect grace period.");
        SlowSubscribers = factory.CreateCounter("gateway_stream_slow_subscribers_total", "Subscribers detached for falling too far behind their generation, by transport.", new CounterConfiguration { LabelNames = ["transport"] });
        StreamEvictions = factory.CreateCounter("gateway_stream_evictions_total", "Finished streams forgotten, by reason (expired, memory).", new CounterConfiguration { LabelNames = ["reason"] });
        RealtimeErrors = factory.CreateCounter("gateway_realtime_errors_total", "Typed errors sent to realtime clients, by transport and error type.", new CounterConfiguration { LabelNames = ["transport", "type"] });
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

    public Gauge ActiveConnections { get; }

    public Gauge RegistryStreams { get; }

    public Gauge StreamBufferBytes { get; }

    public Counter StreamDisconnects { get; }

    public Counter StreamResumes { get; }

    public Counter ReplayedEvents { get; }

    public Counter GraceCancellations { get; }

    public Counter SlowSubscribers { get; }

    public Counter StreamEvictions { get; }

    public Counter RealtimeErrors { get; }

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
