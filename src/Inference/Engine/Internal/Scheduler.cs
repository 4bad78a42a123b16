using System.Diagnostics;
using System.Diagnostics.Metrics;
using Chat.Inference.Onnx;
using Chat.Inference.Sampling;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Continuous batching over one decoder session, driven by one dedicated loop thread. Callers submit
/// sequences into a bounded, client-fair waiting queue (full: <see cref="EngineOverloadedException"/>)
/// and read their own output channel. Up to MaxBatchSize sequences hold a running slot. Each step:
/// drop cancelled sequences, fill free slots from the queue, run at most one prefill call (one chunk
/// of a long prompt, or a group of short ones; see <see cref="Prefiller"/>) whose finished prompts
/// join the decode batch, then one decode call that produces a token for every sequence in the batch
/// (see <see cref="DecodeBatch"/>); finished sequences leave before the next step. A running stream
/// thus waits at most one prefill chunk between two of its tokens.
/// </summary>
internal sealed class Scheduler : IDisposable
{
    private readonly DecoderRunner _runner;
    private readonly ITokenizer _tokenizer;
    private readonly EngineOptions _options;
    private readonly int _contextLength;
    private readonly HashSet<int> _eos;
    private readonly FairWaitingQueue _queue = new();
    private readonly Prefiller _prefiller;
    private readonly PrefixCache? _prefixes;
    private readonly DecodeBatch _batch;
    private readonly List<Sequence> _joining;
    private readonly KvRowSource[] _joiningRows;
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private readonly SchedulerCounters _counters;
    private readonly ISchedulerTrace? _trace;
    private volatile bool _stopping;
    private int _runningCount;
    private long _step;

    public Scheduler(DecoderRunner runner, ITokenizer tokenizer, EngineOptions options, int contextLength, IEnumerable<int> eosTokenIds, int padTokenId)
    {
        _runner = runner;
        _tokenizer = tokenizer;
        _options = options;
        _contextLength = contextLength;
        _eos = [.. eosTokenIds];
        _trace = options.Trace;
        // A graph that cannot continue a prompt after a past prefills each prompt in one call.
        var chunked = runner.AcceptsChunkedPrefill(padTokenId);
        var chunk = chunked ? Math.Min(options.PrefillChunkTokens, contextLength) : contextLength;
        // Continuing from a kept prefix is a chunked prefill after a past, so it needs the same graph support.
        _prefixes = chunked && options.PrefixCacheEntries > 0 ? new PrefixCache(runner, options.PrefixCacheEntries, options.PrefixCacheBytes) : null;
        _prefiller = new Prefiller(runner, options.MaxBatchSize, chunk, padTokenId) { PrefixLoaded = _prefixes is null ? null : _prefixes.Return };
        _batch = new DecodeBatch(runner, options.MaxBatchSize);
        _joining = new List<Sequence>(options.MaxBatchSize);
        _joiningRows = new KvRowSource[options.MaxBatchSize];
        _counters = new SchedulerCounters(() => RunningSequences, () => WaitingSequences);
        _thread = new Thread(Loop) { IsBackground = true, Name = "decoder-scheduler" };
        _thread.Start();
    }

    public int RunningSequences => Volatile.Read(ref _runningCount);

    public int WaitingSequences => _queue.Count;

    public EngineCounters Counters => _counters.Snapshot();

    public Meter Meter => _counters.Meter;

    public Sequence Submit(GenerationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var sequence = Sequence.Create(request, _contextLength, _runner.VocabSize);

        if (cancellationToken.CanBeCanceled)
        {
            // Registered before queueing so the registration is in place before the loop can finish
            // the sequence; runs inline (ending the sequence) when the token is already cancelled.
            sequence.Registration = cancellationToken.Register(
                static state =>
                {
                    var (self, target) = ((Scheduler, Sequence))state!;
                    self.Cancel(target);
                },
                (this, sequence));
        }

        // Requests that a free slot will take at once are not "waiting" in the MaxQueue sense.
        var limit = _options.MaxQueue + Math.Max(_options.MaxBatchSize - RunningSequences, 0);
        if (!_queue.TryEnqueue(sequence, limit))
        {
            sequence.Registration.Dispose();
            const string reason = "queue_full";
            _counters.Rejected(reason);
            throw new EngineOverloadedException(reason, _counters.EstimateRetryAfter(_queue.Count, sequence.MaxNewTokens));
        }

        _wake.Set();
        if (_stopping)
        {
            // Lost the race with Dispose: the loop may have drained already, so end it here.
            Cancel(sequence);
        }

        return sequence;
    }

    /// <summary>Any thread: a waiting sequence ends at once; a running one at the start of the loop's next step.</summary>
    public void Cancel(Sequence sequence)
    {
        sequence.RequestCancel();
        if (sequence.TryClaim())
        {
            _queue.TryRemove(sequence);
            _counters.Cancelled(0);
            sequence.Complete(FinishReason.Cancelled, "");
        }

        _wake.Set();
    }

    public void Dispose()
    {
        _stopping = true;
        _wake.Set();
        _thread.Join();
        _wake.Dispose();
        _prefiller.Dispose();
        _batch.Dispose();
        _prefixes?.Dispose();
        _counters.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            _wake.Reset();
            if (_stopping)
            {
                Drain();
                return;
            }

            DropCancelled();
            Admit();
            if (_batch.Count == 0 && _prefiller.Count == 0)
            {
                // Idle: hold no KV memory while nobody generates.
                _batch.ReleaseMemory();
                _prefiller.ReleaseMemory();
                _wake.Wait();
                continue;
            }

            var start = Stopwatch.GetTimestamp();
            _step++;
            try
            {
                var generated = PrefillStep();
                generated += DecodeStep();
                _counters.Stepped(Stopwatch.GetElapsedTime(start), generated);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Model-call and per-sequence faults are handled inside the step; anything else means
                // the batch state cannot be trusted: end what runs with the error and start clean,
                // so the loop (and every later request) survives.
                FailAll(ex);
            }

            PublishRunning();
        }
    }

    private void DropCancelled()
    {
        // Indexed loops: foreach over the IReadOnlyList views would box an enumerator every step.
        var any = false;
        for (var i = 0; i < _prefiller.Pending.Count; i++)
        {
            any |= DropIfCancelled(_prefiller.Pending[i]);
        }

        for (var i = 0; i < _batch.Rows.Count; i++)
        {
            any |= DropIfCancelled(_batch.Rows[i]);
        }

        if (any)
        {
            _prefiller.RemoveEnded();
            _batch.Update([], []);
            PublishRunning();
        }
    }

    private bool DropIfCancelled(Sequence sequence)
    {
        if (!sequence.CancelRequested)
        {
            return false;
        }

        _counters.Cancelled(sequence.Generated);
        Finish(sequence, FinishReason.Cancelled, "");
        return true;
    }

    /// <summary>Fills free running slots from the fair queue; an admitted sequence prefills from the next step on.</summary>
    private void Admit()
    {
        while (_batch.Count + _prefiller.Count < _options.MaxBatchSize && _queue.TryDequeue(out var sequence))
        {
            if (!sequence.TryAdmit())
            {
                continue;
            }

            var request = sequence.Request;
            sequence.Sampler = new Sampler(request.Sampling, _runner.VocabSize, sequence.Prompt);
            sequence.Decoder = _tokenizer.CreateStreamDecoder();
            sequence.Stop = new StopStringMatcher(request.StopSequences);
            sequence.HoldsKv = true;
            if (_prefixes?.Take(sequence.Prompt, out var shared) is { } prefix)
            {
                sequence.Prefix = prefix;
                sequence.Prefilled = shared;
                sequence.CachedPromptTokens = shared;
                _counters.PrefixReused(shared);
            }

            _counters.CacheCreated();
            _counters.Queued(Stopwatch.GetElapsedTime(sequence.SubmittedAt, sequence.AdmittedAt));
            _trace?.Admitted(request, _step + 1);
            _prefiller.Add(sequence);
            PublishRunning();
        }
    }

    /// <summary>At most one prefill call; prompts it finishes yield their first token and join the decode batch.</summary>
    private int PrefillStep()
    {
        if (_prefiller.Count == 0)
        {
            return 0;
        }

        try
        {
            _counters.Prefilled(_prefiller.Step(_runner));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The call's rows cannot be told apart: end the head sequence; the others retry next step.
            Fail(_prefiller.Pending[0], ex);
            _prefiller.RemoveEnded();
            return 0;
        }

        var completed = _prefiller.Completed;
        var rows = _prefiller.CompletedRows;
        _joining.Clear();
        for (var i = 0; i < completed.Count; i++)
        {
            if (Generate(completed[i], _prefiller.Logits(i), rows[i]))
            {
                _joiningRows[_joining.Count] = rows[i];
                _joining.Add(completed[i]);
            }
        }

        _batch.Update(_joining, _joiningRows.AsSpan(0, _joining.Count));
        return completed.Count;
    }

    /// <summary>One batched decode call: a token for every sequence in the batch; finished ones leave.</summary>
    private int DecodeStep()
    {
        var count = _batch.Count;
        if (count == 0)
        {
            return 0;
        }

        try
        {
            _batch.Decode(_runner);
            _counters.Decoded(count);
            for (var row = 0; row < count; row++)
            {
                Generate(_batch.Rows[row], _batch.Logits(row), _batch.Row(row));
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed run cannot be pinned on one row: every sequence in it ends with the error.
            for (var row = 0; row < count; row++)
            {
                Fail(_batch.Rows[row], ex);
            }
        }

        _batch.Update([], []);
        return count;
    }

    /// <summary>Samples and emits one token; false when the sequence ended (a sampler or detokenizer fault ends only it).</summary>
    private bool Generate(Sequence sequence, Span<float> logits, KvRowSource kv)
    {
        try
        {
            return Accept(sequence, sequence.Sampler!.Sample(logits), kv);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Fail(sequence, ex);
            return false;
        }
    }

    private bool Accept(Sequence sequence, int token, KvRowSource kv)
    {
        var end = sequence.Append(token, _eos.Contains(token) && !sequence.Request.IgnoreEos, out var rest);
        _trace?.TokenEmitted(sequence.Request, sequence.Generated - 1, _step);
        if (end is not { } reason)
        {
            return true;
        }

        // A finished answer's keys and values are what the conversation's next turn starts with.
        _prefixes?.Store(kv, sequence.KvTokens);
        Finish(sequence, reason, rest);
        return false;
    }

    private void Finish(Sequence sequence, FinishReason reason, string text)
    {
        ReleaseKv(sequence);
        if (reason != FinishReason.Cancelled)
        {
            _counters.Completed(reason, sequence.Generated);
        }

        sequence.Complete(reason, text);
    }

    private void Fail(Sequence sequence, Exception error)
    {
        ReleaseKv(sequence);
        _counters.Failed();
        sequence.Fail(error);
    }

    /// <summary>Marks the sequence's KV rows free; the prefiller or the batch drops them before the next model call.</summary>
    private void ReleaseKv(Sequence sequence)
    {
        if (sequence.Prefix is { } prefix)
        {
            // Ended before its prefill copied the kept prefix: the cache takes it back.
            sequence.Prefix = null;
            _prefixes!.Return(prefix);
        }

        if (sequence.HoldsKv)
        {
            sequence.HoldsKv = false;
            _counters.CacheReleased();
        }
    }

    private void FailAll(Exception error)
    {
        foreach (var sequence in _prefiller.Pending.Concat(_batch.Rows).Where(s => !s.IsFinished))
        {
            Fail(sequence, error);
        }

        _prefiller.RemoveEnded();
        _batch.Clear();
    }

    private void PublishRunning() => Volatile.Write(ref _runningCount, _batch.Count + _prefiller.Count);

    /// <summary>On shutdown every running and waiting sequence ends as cancelled.</summary>
    private void Drain()
    {
        foreach (var sequence in _prefiller.Pending.Concat(_batch.Rows))
        {
            _counters.Cancelled(sequence.Generated);
            Finish(sequence, FinishReason.Cancelled, "");
        }

        _prefiller.RemoveEnded();
        _batch.Update([], []);
        PublishRunning();
        foreach (var sequence in _queue.DrainAll())
        {
            if (sequence.TryClaim())
            {
                _counters.Cancelled(0);
                sequence.Complete(FinishReason.Cancelled, "");
            }
        }
    }
}
