using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Chat.Inference.Engine;
using Chat.Inference.Templates;
using Chat.Inference.Tokenization;

namespace Chat.Gateway.Tests.Fakes;

/// <summary>
/// A deterministic engine: the answer's letters follow from the prompt ids and the seed, so equal
/// requests give equal text. Knobs: per-token delay, a gate the test opens token by token, the natural
/// answer length (then "stop"), and admission refusal. Counts running sequences and cancelled tokens.
/// </summary>
internal sealed class FakeGenerationEngine : IGenerationEngine, IAsyncDisposable
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz ";
    private int _running;
    private long _cancelledTokens;
    private int _finished;

    public FakeGenerationEngine(int contextLength = 512, string id = "fake-model")
    {
        Model = new ModelDescriptor(id, "fake", contextLength, Tokenizer.VocabSize, [0]);
    }

    public ModelDescriptor Model { get; }

    public ITokenizer Tokenizer { get; } = new CharTokenizer();

    public IChatTemplate ChatTemplate { get; } = new FakeChatTemplate();

    public int RunningSequences => Volatile.Read(ref _running);

    public int WaitingSequences => 0;

    public long CancelledTokens => Interlocked.Read(ref _cancelledTokens);

    public int FinishedGenerations => Volatile.Read(ref _finished);

    public TimeSpan TokenDelay { get; set; }

    /// <summary>Before the first token (prefill); cancellation is honoured during it.</summary>
    public TimeSpan PrefillDelay { get; set; }

    /// <summary>When set, every token waits for one release of this semaphore.</summary>
    public SemaphoreSlim? TokenGate { get; set; }

    /// <summary>Tokens after which the answer ends on its own with finish reason stop.</summary>
    public int AnswerLength { get; set; } = 8;

    public EngineOverloadedException? Overloaded { get; set; }

    public ConcurrentQueue<GenerationRequest> Requests { get; } = new();

    public bool Disposed { get; private set; }

    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        // Admission happens synchronously, as the engine contract says.
        if (Overloaded is { } overloaded)
        {
            throw overloaded;
        }

        Requests.Enqueue(request);
        return RunAsync(request, cancellationToken);
    }

    private async IAsyncEnumerable<GenerationUpdate> RunAsync(GenerationRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _running);
        var started = Stopwatch.GetTimestamp();
        var firstToken = TimeSpan.Zero;
        var generated = 0;
        var finish = FinishReason.Length;
        try
        {
            var random = new Random(unchecked((int)(Hash(request.PromptTokenIds) ^ (request.Sampling.Seed ?? 0))));
            if (!await WaitAsync(PrefillDelay, null, cancellationToken).ConfigureAwait(false))
            {
                finish = FinishReason.Cancelled;
            }

            var text = "";
            while (finish != FinishReason.Cancelled && generated < request.MaxNewTokens)
            {
                if (generated == AnswerLength && !request.IgnoreEos)
                {
                    finish = FinishReason.Stop;
                    break;
                }

                if (!await WaitAsync(TokenDelay, TokenGate, cancellationToken).ConfigureAwait(false))
                {
                    finish = FinishReason.Cancelled;
                    break;
                }

                var letter = Alphabet[random.Next(Alphabet.Length)];
                text += letter;
                if (generated == 0)
                {
                    firstToken = Stopwatch.GetElapsedTime(started);
                }

                yield return new GenerationUpdate(generated, letter, letter.ToString());
                generated++;
                if (request.StopSequences.Any(text.EndsWith))
                {
                    finish = FinishReason.Stop;
                    break;
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }

        if (finish == FinishReason.Cancelled)
        {
            Interlocked.Add(ref _cancelledTokens, generated);
        }

        Interlocked.Increment(ref _finished);
        var usage = new GenerationUsage(request.PromptTokenIds.Count, generated, TimeSpan.FromMilliseconds(1), firstToken, Stopwatch.GetElapsedTime(started));
        yield return new GenerationUpdate(generated, -1, "", finish, usage);
    }

    private static async Task<bool> WaitAsync(TimeSpan delay, SemaphoreSlim? gate, CancellationToken cancellationToken)
    {
        try
        {
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }

            return !cancellationToken.IsCancellationRequested;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static long Hash(IReadOnlyList<int> ids)
    {
        var hash = 1469598103934665603L;
        foreach (var id in ids)
        {
            hash = unchecked((hash ^ id) * 1099511628211L);
        }

        return hash;
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
