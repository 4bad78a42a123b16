using System.Collections.Concurrent;
using System.Diagnostics;
using Chat.Inference.Onnx;
using Chat.Inference.Sampling;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// Owns the decoder session through one dedicated loop thread. Callers submit sequences into a
/// bounded waiting queue (full: <see cref="EngineOverloadedException"/>) and read their own output
/// channel. Up to MaxBatchSize sequences run at once; each loop round gives every running sequence
/// one ORT call (its prefill, or one decode step), so concurrent callers all progress. Each sequence
/// owns its KV cache, which is what lets a batching step gather several sequences into one call.
/// </summary>
internal sealed class Scheduler : IDisposable
{
    private readonly DecoderRunner _runner;
    private readonly ITokenizer _tokenizer;
    private readonly EngineOptions _options;
    private readonly int _contextLength;
    private readonly HashSet<int> _eos;
    private readonly ConcurrentQueue<Sequence> _queue = new();
    private readonly List<Sequence> _running = [];
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private readonly float[] _logits;
    private readonly int[] _oneToken = new int[1];
    private readonly int[] _noPadding = new int[1];
    private readonly SchedulerCounters _counters = new();
    private volatile bool _stopping;
    private int _waiting;
    private int _runningCount;

    public Scheduler(DecoderRunner runner, ITokenizer tokenizer, EngineOptions options, int contextLength, IEnumerable<int> eosTokenIds)
    {
        _runner = runner;
        _tokenizer = tokenizer;
        _options = options;
        _contextLength = contextLength;
        _eos = [.. eosTokenIds];
        _logits = new float[runner.VocabSize];
        _thread = new Thread(Loop) { IsBackground = true, Name = "decoder-scheduler" };
        _thread.Start();
    }

    public int RunningSequences => Volatile.Read(ref _runningCount);

    public int WaitingSequences => Math.Max(Volatile.Read(ref _waiting), 0);

    public EngineCounters Counters => _counters.Snapshot();

    public Sequence Submit(GenerationRequest request, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        var prompt = Validate(request);
        if (Interlocked.Increment(ref _waiting) > _options.MaxQueue)
        {
            Interlocked.Decrement(ref _waiting);
            _counters.Rejected();
            throw new EngineOverloadedException("queue_full", _counters.EstimateRetryAfter(_options.MaxQueue, _options.MaxBatchSize));
        }

        var maxNew = Math.Min(request.MaxNewTokens, _contextLength - prompt.Length);
        var sequence = new Sequence(request, prompt, maxNew);
        if (cancellationToken.CanBeCanceled)
        {
            // Runs inline when the token is already cancelled: the sequence then ends before it is queued.
            sequence.Registration = cancellationToken.Register(
                static state =>
                {
                    var (self, target) = ((Scheduler, Sequence))state!;
                    self.Cancel(target);
                },
                (this, sequence));
        }

        _queue.Enqueue(sequence);
        _wake.Set();
        if (_stopping)
        {
            // Lost the race with Dispose: the loop may have drained already, so end it here.
            Cancel(sequence);
        }

        return sequence;
    }

    /// <summary>Any thread: a waiting sequence ends at once; a running one at the loop's next visit.</summary>
    public void Cancel(Sequence sequence)
    {
        sequence.RequestCancel();
        if (sequence.TryClaim())
        {
            Interlocked.Decrement(ref _waiting);
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
    }

    private int[] Validate(GenerationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PromptTokenIds.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(request));
        }

        if (request.PromptTokenIds.Count >= _contextLength)
        {
            throw new ArgumentException(
                $"The prompt has {request.PromptTokenIds.Count} tokens; the model's context length is {_contextLength}.", nameof(request));
        }

        if (request.MaxNewTokens < 1)
        {
            throw new ArgumentException($"MaxNewTokens must be at least 1 (was {request.MaxNewTokens}).", nameof(request));
        }

        var prompt = request.PromptTokenIds.ToArray();
        foreach (var id in prompt)
        {
            if ((uint)id >= (uint)_runner.VocabSize)
            {
                throw new ArgumentException($"Prompt token id {id} is outside the model's vocabulary (0..{_runner.VocabSize - 1}).", nameof(request));
            }
        }

        return prompt;
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

            Admit();
            if (_running.Count == 0)
            {
                _wake.Wait();
                continue;
            }

            for (var i = 0; i < _running.Count;)
            {
                if (Step(_running[i]))
                {
                    i++;
                }
                else
                {
                    _running.RemoveAt(i);
                    Volatile.Write(ref _runningCount, _running.Count);
                }
            }
        }
    }

    private void Admit()
    {
        while (_running.Count < _options.MaxBatchSize && _queue.TryDequeue(out var sequence))
        {
            if (!sequence.TryAdmit())
            {
                continue;
            }

            Interlocked.Decrement(ref _waiting);
            _running.Add(sequence);
            Volatile.Write(ref _runningCount, _running.Count);
        }
    }

    /// <summary>One ORT call for a sequence and the token it yields; false when the sequence ended.</summary>
    private bool Step(Sequence sequence)
    {
        if (sequence.CancelRequested)
        {
            _counters.Cancelled(sequence.Generated);
            Finish(sequence, FinishReason.Cancelled, "");
            return false;
        }

        try
        {
            if (sequence.Cache is null)
            {
                Prefill(sequence);
            }
            else
            {
                _oneToken[0] = sequence.LastToken;
                _runner.Forward(sequence.Cache, _oneToken, _noPadding, _logits);
                _counters.Decoded();
            }

            return Accept(sequence, sequence.Sampler!.Sample(_logits));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failing model run, tokenizer or sampler ends only this sequence; its reader sees the
            // exception and the loop carries on with the others.
            Release(sequence);
            sequence.Fail(ex);
            return false;
        }
    }

    private void Prefill(Sequence sequence)
    {
        var request = sequence.Request;
        sequence.Sampler = new Sampler(request.Sampling, _runner.VocabSize, sequence.Prompt);
        sequence.Decoder = _tokenizer.CreateStreamDecoder();
        sequence.Stop = new StopStringMatcher(request.StopSequences);
        sequence.Cache = _runner.CreateCache(1);
        _counters.CacheCreated();
        _runner.Forward(sequence.Cache, sequence.Prompt, _noPadding, _logits);
        _counters.Prefilled(sequence.Prompt.Length);
    }

    private bool Accept(Sequence sequence, int token)
    {
        sequence.Generated++;
        sequence.LastToken = token;
        sequence.Sampler!.Accept(token);
        if (sequence.FirstTokenAt == 0)
        {
            sequence.FirstTokenAt = Stopwatch.GetTimestamp();
        }

        var index = sequence.Generated - 1;
        if (_eos.Contains(token) && !sequence.Request.IgnoreEos)
        {
            sequence.Emit(new GenerationUpdate(index, token, ""));
            Finish(sequence, FinishReason.Stop, ReleaseRest(sequence));
            return false;
        }

        var stop = sequence.Stop!;
        var text = stop.Push(sequence.Decoder!.Append(token));
        sequence.Emit(new GenerationUpdate(index, token, text));
        if (stop.Stopped)
        {
            Finish(sequence, FinishReason.Stop, "");
            return false;
        }

        if (sequence.Generated >= sequence.MaxNewTokens)
        {
            var rest = ReleaseRest(sequence);
            Finish(sequence, stop.Stopped ? FinishReason.Stop : FinishReason.Length, rest);
            return false;
        }

        return true;
    }

    /// <summary>Text still held by the detokenizer or the stop matcher when the stream ends.</summary>
    private static string ReleaseRest(Sequence sequence)
    {
        var stop = sequence.Stop!;
        var text = stop.Push(sequence.Decoder!.Flush());
        return text + stop.Flush();
    }

    private void Finish(Sequence sequence, FinishReason reason, string text)
    {
        Release(sequence);
        if (reason != FinishReason.Cancelled)
        {
            _counters.Completed(Stopwatch.GetElapsedTime(sequence.AdmittedAt));
        }

        sequence.Complete(reason, text);
    }

    private void Release(Sequence sequence)
    {
        if (sequence.Cache is { } cache)
        {
            cache.Dispose();
            sequence.Cache = null;
            _counters.CacheReleased();
        }
    }

    /// <summary>On shutdown every running and waiting sequence ends as cancelled.</summary>
    private void Drain()
    {
        foreach (var sequence in _running)
        {
            _counters.Cancelled(sequence.Generated);
            Finish(sequence, FinishReason.Cancelled, "");
        }

        _running.Clear();
        Volatile.Write(ref _runningCount, 0);
        while (_queue.TryDequeue(out var sequence))
        {
            if (sequence.TryClaim())
            {
                Interlocked.Decrement(ref _waiting);
                _counters.Cancelled(0);
                sequence.Complete(FinishReason.Cancelled, "");
            }
        }
    }
}
