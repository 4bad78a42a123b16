using System.Diagnostics;
using System.Threading.Channels;
using Chat.Inference.Sampling;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Engine.Internal;

/// <summary>
/// One request's life in the scheduler: its prompt, prefill progress, sampler, stop matcher, stream
/// decoder and output channel (its keys and values live in a row of the prefill or decode batch cache). Only the loop thread touches the generation state; other threads only
/// request cancellation or claim a waiting sequence through <see cref="TryClaim"/>.
/// The output channel is unbounded so a slow reader never blocks the loop; it stays finite because a
/// sequence emits at most one update per generated token (bounded by max tokens and context length).
/// </summary>
internal sealed class Sequence
{
    private const int StateWaiting = 0;
    private const int StateRunning = 1;
    private const int StateFinished = 2;

    private readonly Channel<GenerationUpdate> _output = Channel.CreateUnbounded<GenerationUpdate>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });

    private readonly int[] _tokens;
    private int _state;
    private volatile bool _cancelRequested;

    public Sequence(GenerationRequest request, int[] prompt, int maxNewTokens)
    {
        Request = request;
        Prompt = prompt;
        MaxNewTokens = maxNewTokens;
        _tokens = new int[prompt.Length + maxNewTokens];
        prompt.CopyTo(_tokens, 0);
        SubmittedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Checks a request against the model and makes its sequence (max tokens capped by the context).</summary>
    /// <exception cref="ArgumentException">The prompt is empty, too long or has an id outside the vocabulary, or MaxNewTokens &lt; 1.</exception>
    public static Sequence Create(GenerationRequest request, int contextLength, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.PromptTokenIds.Count == 0)
        {
            throw new ArgumentException("The prompt has no tokens.", nameof(request));
        }

        if (request.PromptTokenIds.Count >= contextLength)
        {
            throw new ArgumentException(
                $"The prompt has {request.PromptTokenIds.Count} tokens; the model's context length is {contextLength}.", nameof(request));
        }

        if (request.MaxNewTokens < 1)
        {
            throw new ArgumentException($"MaxNewTokens must be at least 1 (was {request.MaxNewTokens}).", nameof(request));
        }

        var prompt = request.PromptTokenIds.ToArray();
        foreach (var id in prompt)
        {
            if ((uint)id >= (uint)vocabSize)
            {
                throw new ArgumentException($"Prompt token id {id} is outside the model's vocabulary (0..{vocabSize - 1}).", nameof(request));
            }
        }

        return new Sequence(request, prompt, Math.Min(request.MaxNewTokens, contextLength - prompt.Length));
    }

    public GenerationRequest Request { get; }

    public int[] Prompt { get; }

    public int MaxNewTokens { get; }

    public ChannelReader<GenerationUpdate> Output => _output.Reader;

    public long SubmittedAt { get; }

    public long AdmittedAt { get; private set; }

    public long FirstTokenAt { get; set; }

    /// <summary>Prompt tokens already run through the model (chunked prefill progress).</summary>
    public int Prefilled { get; set; }

    /// <summary>A kept prefix the prefiller copies before running the rest of the prompt (from <see cref="Prefilled"/> on).</summary>
    public PrefixEntry? Prefix { get; set; }

    /// <summary>Prompt positions taken from a kept prefix instead of prefill.</summary>
    public int CachedPromptTokens { get; set; }

    /// <summary>The ids whose keys and values the sequence's KV row holds: the prompt and every generated token but the last, which was never fed.</summary>
    public ReadOnlySpan<int> KvTokens => _tokens.AsSpan(0, Prompt.Length + Math.Max(Generated - 1, 0));

    /// <summary>True from the first prefill call until the sequence's KV rows are dropped.</summary>
    public bool HoldsKv { get; set; }

    /// <summary>Its place in the waiting queue while it waits; guarded by the queue's lock.</summary>
    public LinkedListNode<Sequence>? QueueNode { get; set; }

    public Sampler? Sampler { get; set; }

    public ITokenStreamDecoder? Decoder { get; set; }

    public StopStringMatcher? Stop { get; set; }

    public int Generated { get; set; }

    public int LastToken { get; set; }

    public bool CancelRequested => _cancelRequested;

    public bool IsFinished => Volatile.Read(ref _state) == StateFinished;

    public CancellationTokenRegistration Registration { get; set; }

    public void RequestCancel() => _cancelRequested = true;

    /// <summary>Loop thread: moves a waiting sequence to running; false when it was cancelled while waiting.</summary>
    public bool TryAdmit()
    {
        AdmittedAt = Stopwatch.GetTimestamp();
        return Interlocked.CompareExchange(ref _state, StateRunning, StateWaiting) == StateWaiting;
    }

    /// <summary>Any thread: finishes a sequence that has not started running; false when the loop owns it.</summary>
    public bool TryClaim() => Interlocked.CompareExchange(ref _state, StateFinished, StateWaiting) == StateWaiting;

    /// <summary>
    /// Loop thread: records a generated token and streams its text (held back while it may start a
    /// stop string). Returns how the sequence ends with this token, or null when it goes on;
    /// <paramref name="rest"/> is the held-back text to release with the final update.
    /// </summary>
    public FinishReason? Append(int token, bool endOfSequence, out string rest)
    {
        _tokens[Prompt.Length + Generated] = token;
        Generated++;
        LastToken = token;
        Sampler!.Accept(token);
        if (FirstTokenAt == 0)
        {
            FirstTokenAt = Stopwatch.GetTimestamp();
        }

        var index = Generated - 1;
        rest = "";
        if (endOfSequence)
        {
            Emit(new GenerationUpdate(index, token, ""));
            rest = ReleaseRest();
            return FinishReason.Stop;
        }

        var text = Stop!.Push(Decoder!.Append(token));
        Emit(new GenerationUpdate(index, token, text));
        if (Stop.Stopped)
        {
            return FinishReason.Stop;
        }

        if (Generated >= MaxNewTokens)
        {
            rest = ReleaseRest();
            return Stop.Stopped ? FinishReason.Stop : FinishReason.Length;
        }

        return null;
    }

    public void Emit(GenerationUpdate update) => _output.Writer.TryWrite(update);

    /// <summary>Writes the final update and closes the stream; the caller has released the KV cache.</summary>
    public void Complete(FinishReason reason, string text)
    {
        Volatile.Write(ref _state, StateFinished);
        var now = Stopwatch.GetTimestamp();
        var admitted = AdmittedAt == 0 ? now : AdmittedAt;
        var usage = new GenerationUsage(
            Prompt.Length,
            Generated,
            Stopwatch.GetElapsedTime(SubmittedAt, admitted),
            FirstTokenAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(SubmittedAt, FirstTokenAt),
            Stopwatch.GetElapsedTime(SubmittedAt, now))
        {
            CachedPromptTokens = CachedPromptTokens,
        };
        _output.Writer.TryWrite(new GenerationUpdate(Generated, -1, text, reason, usage));
        _output.Writer.TryComplete();
        Registration.Dispose();
    }

    public void Fail(Exception error)
    {
        Volatile.Write(ref _state, StateFinished);
        _output.Writer.TryComplete(error);
        Registration.Dispose();
    }

    /// <summary>Text still held by the detokenizer or the stop matcher when the stream ends.</summary>
    private string ReleaseRest()
    {
        var text = Stop!.Push(Decoder!.Flush());
        return text + Stop.Flush();
    }
}
