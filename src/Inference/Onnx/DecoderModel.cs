using Chat.Inference.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// The decoder's ONNX Runtime session and what its metadata says: id, mask/position and KV/logits
/// element types, which optional inputs exist, and the resolved per-layer KV names.
/// Optionally a second session of the same graph with fewer intra-op threads serves calls that feed
/// a single token of a single sequence (the -t / -tb split of llama.cpp): such a call is too small
/// to gain from splitting its matrix products across cores, and the core it leaves free serves the
/// HTTP side. Thread-safe to share; per-step state lives in <see cref="DecoderRunner"/>.
/// </summary>
internal sealed class DecoderModel : IDisposable
{
    private readonly int _singleTokenThreads;

    private DecoderModel(GenAiConfig config, InferenceSession session, InferenceSession? singleTokenSession, RunOptions runOptions, string path, int threads, int singleTokenThreads)
    {
        Config = config;
        Session = session;
        SingleTokenSession = singleTokenSession;
        RunOptions = runOptions;
        IntraOpThreads = threads;
        _singleTokenThreads = singleTokenThreads;
        var names = config.Decoder.Names;
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;

        IdType = RequireInteger(inputs, names.InputIds, "model.decoder.inputs.input_ids", path);
        HasAttentionMask = inputs.ContainsKey(names.AttentionMask);
        HasPositionIds = inputs.ContainsKey(names.PositionIds);
        MaskType = HasAttentionMask ? RequireInteger(inputs, names.AttentionMask, "model.decoder.inputs.attention_mask", path) : IdType;
        PositionType = HasPositionIds ? RequireInteger(inputs, names.PositionIds, "model.decoder.inputs.position_ids", path) : IdType;

        var logits = Require(outputs, names.Logits, "model.decoder.outputs.logits", path);
        LogitsType = RequireFloat(logits, names.Logits, path);
        var logitsDims = logits.Dimensions;
        VocabSize = logitsDims.Length == 3 && logitsDims[2] > 0 ? logitsDims[2] : config.VocabSize;

        var layers = config.Decoder.NumHiddenLayers;
        var combined = names.CombinedKeyValue;
        var pastNames = names.PastNamesFor(layers);
        var presentNames = names.PresentNamesFor(layers);

        var pastKey = combined ? "model.decoder.inputs.past_names" : "model.decoder.inputs.past_key_names / past_value_names";
        foreach (var name in pastNames)
        {
            RequireFloat(Require(inputs, name, pastKey, path), name, path);
        }

        KvType = inputs[pastNames[0]].ElementDataType;

        foreach (var name in presentNames)
        {
            Require(outputs, name, combined ? "model.decoder.outputs.present_names" : "model.decoder.outputs.present_key_names / present_value_names", path);
        }

        PastNames = pastNames;
        PresentNames = presentNames;
        KvLayout = new KvLayout(combined, config.Decoder.NumKeyValueHeads, config.Decoder.HeadSize, ElementSize(KvType));
    }

    public GenAiConfig Config { get; }

    /// <summary>The session for batched and multi-token calls.</summary>
    public InferenceSession Session { get; }

    /// <summary>The session for one token of one sequence, when it differs from <see cref="Session"/>.</summary>
    public InferenceSession? SingleTokenSession { get; private set; }

    /// <summary>Intra-op threads of <see cref="Session"/>.</summary>
    public int IntraOpThreads { get; }

    /// <summary>Intra-op threads that serve a single-token call (equal to <see cref="IntraOpThreads"/> when there is one session).</summary>
    public int SingleTokenThreads => SingleTokenSession is null ? IntraOpThreads : _singleTokenThreads;

    public RunOptions RunOptions { get; }

    public TensorElementType IdType { get; }

    public TensorElementType MaskType { get; }

    public TensorElementType PositionType { get; }

    public TensorElementType LogitsType { get; }

    public TensorElementType KvType { get; }

    public bool HasAttentionMask { get; }

    public bool HasPositionIds { get; }

    /// <summary>Logits width (the graph's last dimension, else <c>model.vocab_size</c>).</summary>
    public int VocabSize { get; }

    public IReadOnlyList<string> PastNames { get; }

    public IReadOnlyList<string> PresentNames { get; }

    public KvLayout KvLayout { get; }

    /// <param name="intraOpThreads">Threads of the main session; 0 uses the config's value or else one per core.</param>
    /// <param name="singleTokenThreads">Threads of a second session for single-token calls; 0 (or the main count) means no second session.</param>
    public static DecoderModel Load(string modelFolder, GenAiConfig config, int intraOpThreads, int singleTokenThreads = 0)
    {
        var path = Path.Combine(modelFolder, config.Decoder.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"{Path.Combine(modelFolder, GenAiConfig.FileName)}: 'model.decoder.filename' names {config.Decoder.FileName}, which does not exist in {modelFolder}.");
        }

        var threads = intraOpThreads > 0 ? intraOpThreads : config.Decoder.IntraOpNumThreads ?? Environment.ProcessorCount;
        var runOptions = new RunOptions();
        InferenceSession? session = null;
        InferenceSession? single = null;
        try
        {
            foreach (var (key, value) in config.Decoder.RunConfigEntries)
            {
                // The reference config lists arena shrinkage with an empty value, meaning "not set".
                if (value.Length > 0)
                {
                    runOptions.AddRunConfigEntry(key, value);
                }
            }

            using (var options = CreateSessionOptions(config.Decoder, threads))
            {
                session = new InferenceSession(path, options);
            }

            if (singleTokenThreads > 0 && singleTokenThreads != threads)
            {
                using var options = CreateSessionOptions(config.Decoder, singleTokenThreads);
                single = new InferenceSession(path, options);
            }

            return new DecoderModel(config, session, single, runOptions, path, threads, singleTokenThreads);
        }
        catch
        {
            single?.Dispose();
            session?.Dispose();
            runOptions.Dispose();
            throw;
        }
    }

    /// <summary>The session that serves a call of <paramref name="batch"/> rows by <paramref name="newTokens"/> positions.</summary>
    public InferenceSession SessionFor(int batch, int newTokens) =>
        batch == 1 && newTokens == 1 && SingleTokenSession is { } single ? single : Session;

    /// <summary>Drops the single-token session (measured slower than the main one): every call uses <see cref="Session"/>.</summary>
    public void DropSingleTokenSession()
    {
        SingleTokenSession?.Dispose();
        SingleTokenSession = null;
    }

    /// <summary>
    /// The engine's session options (also the bare benchmark loop's): all graph optimizations,
    /// sequential execution, the given intra-op threads, and workers that sleep rather than spin
    /// between parallel sections unless the config's session options say otherwise. Spinning wins
    /// in a bare loop but takes the core that the scheduler's consumers (detokenization, HTTP
    /// writes) need between steps: measured on 2 cores, a lone in-process stream fell from ~450 to
    /// ~350 tokens/s with spinning workers, while a bare loop on the same session rose.
    /// </summary>
    /// <summary>ONNX Runtime's session config key for worker spin-waiting.</summary>
    public const string AllowSpinningKey = "session.intra_op.allow_spinning";

    public static SessionOptions CreateSessionOptions(DecoderConfig decoder, int intraOpThreads)
    {
        // One loop thread drives the session, so inter-op parallelism only adds contention; intra-op
        // threads use the cores for each matrix product.
        var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = intraOpThreads > 0 ? intraOpThreads : decoder.IntraOpNumThreads ?? Environment.ProcessorCount,
            InterOpNumThreads = 1,
        };
        if (!decoder.SessionConfigEntries.ContainsKey(AllowSpinningKey))
        {
            options.AddSessionConfigEntry(AllowSpinningKey, "0");
        }

        foreach (var (key, value) in decoder.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
    }

    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.Float => 4,
        TensorElementType.Float16 => 2,
        TensorElementType.Int32 => 4,
        TensorElementType.Int64 => 8,
        _ => throw new NotSupportedException($"Element type {type} is not supported."),
    };

    public void Dispose()
    {
        SingleTokenSession?.Dispose();
        Session.Dispose();
        RunOptions.Dispose();
    }

    private static NodeMetadata Require(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, string configKey, string path) =>
        metadata.TryGetValue(name, out var node)
            ? node
            : throw new InvalidDataException(
                $"{path}: the graph has no '{name}' (from genai_config.json '{configKey}'); it has: {string.Join(", ", metadata.Keys)}.");

    private static TensorElementType RequireInteger(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, string configKey, string path)
    {
        var type = Require(metadata, name, configKey, path).ElementDataType;
        return type is TensorElementType.Int32 or TensorElementType.Int64
            ? type
            : throw new InvalidDataException($"{path}: '{name}' must be int32 or int64 (found {type}).");
    }

    private static TensorElementType RequireFloat(NodeMetadata node, string name, string path)
    {
        var type = node.ElementDataType;
        return type is TensorElementType.Float or TensorElementType.Float16
            ? type
            : throw new InvalidDataException($"{path}: '{name}' must be float32 or float16 (found {type}).");
    }
}
