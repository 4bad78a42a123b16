using System.Diagnostics;
using System.Threading.Channels;
using Chat.Inference.Classification;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Coalesces concurrent requests for one model version into single ONNX Runtime calls. One loop owns
/// the model's input/output buffers: it takes the first waiting request, keeps the window open for up
/// to MaxWaitMicroseconds or until MaxBatchSize rows are in, runs the batch and completes each caller.
/// A request larger than the window (a batch endpoint call) runs alone. The window closes early once
/// every predict request in flight in the process is in the batch: nobody else can join, so waiting
/// would only add latency (a lone client pays no batching delay).
/// </summary>
internal sealed class MicroBatcher : IAsyncDisposable
{
    private static readonly long OneMillisecond = Stopwatch.Frequency / 1000;

    private readonly ClassifierModel _model;
    private readonly Channel<PendingRows> _queue;
    private readonly int _maxRows;
    private readonly long _maxWait;
    private readonly float[] _features;
    private readonly float[] _probabilities;
    private readonly Func<int> _requestsInFlight;
    private readonly PredictMetrics _metrics;
    private readonly Task _loop;

    public MicroBatcher(ClassifierModel model, MicroBatchOptions options, int maxRequestRows, Func<int> requestsInFlight, PredictMetrics metrics)
    {
        _model = model;
        _metrics = metrics;
        _requestsInFlight = requestsInFlight;
        _maxRows = options.MaxBatchSize;
        _maxWait = options.MaxWaitMicroseconds * Stopwatch.Frequency / 1_000_000;
        var capacity = Math.Max(_maxRows, maxRequestRows);
        _features = new float[capacity * model.FeatureCount];
        _probabilities = new float[capacity * model.LabelCount];
        _queue = Channel.CreateBounded<PendingRows>(new BoundedChannelOptions(options.MaxQueue)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _loop = Task.Run(RunAsync);
    }

    /// <summary>
    /// Queues <paramref name="rows"/> rows and returns their probabilities (rows x labels). Returns
    /// null when the queue is full: the caller answers 503 instead of waiting without bound.
    /// </summary>
    public Task<float[]>? TryPredict(float[] features, int rows)
    {
        var pending = new PendingRows(features, rows);
        return _queue.Writer.TryWrite(pending) ? pending.Completion.Task : null;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingRows>(_maxRows);
        PendingRows? carried = null;
        while (true)
        {
            var first = carried;
            carried = null;
            if (first is null)
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return;
                }

                if (!reader.TryRead(out first))
                {
                    continue;
                }
            }

            batch.Add(first);
            var rows = first.Rows;
            var requests = 1;
            var deadline = Stopwatch.GetTimestamp() + _maxWait;
            while (rows < _maxRows)
            {
                if (reader.TryRead(out var next))
                {
                    if (rows + next.Rows > _maxRows)
                    {
                        carried = next;
                        break;
                    }

                    batch.Add(next);
                    rows += next.Rows;
                    requests++;
                    continue;
                }

                if (requests >= _requestsInFlight())
                {
                    break;
                }

                var remaining = deadline - Stopwatch.GetTimestamp();
                if (remaining <= 0)
                {
                    break;
                }

                if (remaining > OneMillisecond)
                {
                    if (!await WaitForMoreAsync(reader, remaining).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                else
                {
                    // Timers cannot wait a few hundred microseconds; yielding the core briefly can.
                    Thread.Yield();
                }
            }

            Run(batch, rows);
            batch.Clear();
        }
    }

    private static async Task<bool> WaitForMoreAsync(ChannelReader<PendingRows> reader, long stopwatchTicks)
    {
        using var timeout = new CancellationTokenSource(Stopwatch.GetElapsedTime(0, stopwatchTicks));
        try
        {
            return await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return false;
        }
    }

    private void Run(List<PendingRows> batch, int rows)
    {
        var width = _model.FeatureCount;
        var labels = _model.LabelCount;
        var offset = 0;
        foreach (var pending in batch)
        {
            pending.Features.AsSpan(0, pending.Rows * width).CopyTo(_features.AsSpan(offset * width));
            offset += pending.Rows;
        }

        try
        {
            var started = Stopwatch.GetTimestamp();
            _model.Predict(_features, rows, _probabilities);
            _metrics.InferenceDuration.WithLabels(_model.Name, _model.Version).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            _metrics.InferenceCalls.WithLabels(_model.Name, _model.Version).Inc();
            _metrics.BatchSize.WithLabels(_model.Name, _model.Version).Observe(rows);
        }
        catch (Exception e)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(e);
            }

            return;
        }

        offset = 0;
        foreach (var pending in batch)
        {
            pending.Completion.TrySetResult(_probabilities.AsSpan(offset * labels, pending.Rows * labels).ToArray());
            offset += pending.Rows;
        }
    }

    private sealed class PendingRows(float[] features, int rows)
    {
        public float[] Features { get; } = features;

        public int Rows { get; } = rows;

        // Callers continue on the thread pool, never inline on the batching loop.
        public TaskCompletionSource<float[]> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
