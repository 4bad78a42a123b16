using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Chat.Inference.Engine.Internal;
using Chat.Inference.Models;
using Chat.Inference.Onnx;
using Chat.Inference.Templates;
using Chat.Inference.Tokenization;

namespace Chat.Inference.Engine;

/// <summary>
/// A loaded onnxruntime-genai decoder folder: config, ONNX Runtime session, tokenizer, chat template
/// and the scheduler whose loop thread owns the session. Dispose to stop the loop (running streams
/// end as cancelled) and free native memory.
/// </summary>
public sealed class DecoderEngine : IGenerationEngine, IAsyncDisposable, IDisposable
{
    private readonly DecoderModel _model;
    private readonly DecoderRunner _runner;
    private readonly Scheduler _scheduler;
    private int _disposed;

    private DecoderEngine(DecoderModel model, ITokenizer tokenizer, IChatTemplate chatTemplate, EngineOptions options, string modelId)
    {
        _model = model;
        Tokenizer = tokenizer;
        ChatTemplate = chatTemplate;
        Config = model.Config;
        Model = new ModelDescriptor(modelId, Config.ModelType, Config.ContextLength, model.VocabSize, Config.EosTokenIds);
        _runner = new DecoderRunner(model);
        if (options.SingleSequenceThreads < 0)
        {
            _runner.KeepFasterSingleTokenSession(Config.PadTokenId);
        }

        _scheduler = new Scheduler(_runner, tokenizer, options, Config.ContextLength, Config.EosTokenIds, Config.PadTokenId);
    }

    public ModelDescriptor Model { get; }

    public ITokenizer Tokenizer { get; }

    public IChatTemplate ChatTemplate { get; }

    /// <summary>The parsed genai_config.json (search defaults, special ids).</summary>
    public GenAiConfig Config { get; }

    public int RunningSequences => _scheduler.RunningSequences;

    public int WaitingSequences => _scheduler.WaitingSequences;

    public EngineCounters Counters => _scheduler.Counters;

    /// <summary>ONNX Runtime intra-op threads of batched and prompt calls.</summary>
    public int IntraOpThreads => _model.IntraOpThreads;

    /// <summary>Intra-op threads that serve a lone sequence's decode step (see <see cref="EngineOptions.SingleSequenceThreads"/>).</summary>
    public int SingleSequenceThreads => _model.SingleTokenThreads;

    /// <summary>The engine's "Chat.Inference" meter (instrument names in the README's metrics section).</summary>
    internal Meter Meter => _scheduler.Meter;

    /// <summary>Loads a model folder with its own tokenizer (tokenizer.json) and chat template.</summary>
    /// <exception cref="InvalidDataException">A file or key of the folder is missing or wrong; the message names it.</exception>
    public static DecoderEngine Load(string modelFolder, EngineOptions? options = null)
    {
        options ??= new EngineOptions();
        RequireFolder(modelFolder);
        return Load(modelFolder, options, TokenizerLoader.Load(modelFolder), ChatTemplateLoader.Load(modelFolder, options.ChatTemplate));
    }

    /// <summary>Loads a model folder with a tokenizer and template supplied by the caller.</summary>
    public static DecoderEngine Load(string modelFolder, EngineOptions? options, ITokenizer tokenizer, IChatTemplate chatTemplate)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(chatTemplate);
        options ??= new EngineOptions();
        options.Validate();
        RequireFolder(modelFolder);

        var config = GenAiConfig.Load(modelFolder);
        var model = DecoderModel.Load(modelFolder, config, options.IntraOpThreads, options.SingleSequenceThreads < 0 ? 1 : options.SingleSequenceThreads);
        try
        {
            var id = options.ModelId ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(modelFolder)));
            return new DecoderEngine(model, tokenizer, chatTemplate, options, id);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    public IAsyncEnumerable<GenerationUpdate> GenerateAsync(GenerationRequest request, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var sequence = _scheduler.Submit(request, cancellationToken);
        return ReadAsync(sequence);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _scheduler.Dispose();
        _runner.Dispose();
        _model.Dispose();
    }

    /// <summary>Stops the loop off the caller's thread: it finishes the ORT call in flight first.</summary>
    public ValueTask DisposeAsync() => new(Task.Run(Dispose));

    private static void RequireFolder(string modelFolder)
    {
        if (!Directory.Exists(modelFolder))
        {
            throw new DirectoryNotFoundException($"Model folder not found: {modelFolder}");
        }
    }

    private async IAsyncEnumerable<GenerationUpdate> ReadAsync(Sequence sequence, [EnumeratorCancellation] CancellationToken enumeratorToken = default)
    {
        // A reader that stops early (break, dispose, or cancelling the enumerator) cancels the
        // sequence so its KV cache is freed at the next step instead of generating for nobody.
        using var registration = enumeratorToken.Register(
            static state =>
            {
                var (scheduler, target) = ((Scheduler, Sequence))state!;
                scheduler.Cancel(target);
            },
            (_scheduler, sequence));
        var finished = false;
        try
        {
            while (await sequence.Output.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                while (sequence.Output.TryRead(out var update))
                {
                    finished |= update.IsFinal;
                    yield return update;
                }
            }
        }
        finally
        {
            if (!finished)
            {
                _scheduler.Cancel(sequence);
            }
        }
    }
}
