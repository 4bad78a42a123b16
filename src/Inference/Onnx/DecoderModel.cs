using Chat.Inference.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Chat.Inference.Onnx;

/// <summary>
/// The decoder's ONNX Runtime session and what its metadata says: id, mask/position and KV/logits
/// element types, which optional inputs exist, and the resolved per-layer KV names.
/// Thread-safe to share; per-step state lives in <see cref="DecoderRunner"/>.
/// </summary>
internal sealed class DecoderModel : IDisposable
{
    private DecoderModel(GenAiConfig config, InferenceSession session, RunOptions runOptions, string path)
    {
        Config = config;
        Session = session;
        RunOptions = runOptions;
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

    public InferenceSession Session { get; }

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

    public static DecoderModel Load(string modelFolder, GenAiConfig config, int intraOpThreads)
    {
        var path = Path.Combine(modelFolder, config.Decoder.FileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"{Path.Combine(modelFolder, GenAiConfig.FileName)}: 'model.decoder.filename' names {config.Decoder.FileName}, which does not exist in {modelFolder}.");
        }

        using var options = CreateSessionOptions(config.Decoder, intraOpThreads);
        var runOptions = new RunOptions();
        InferenceSession? session = null;
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

            session = new InferenceSession(path, options);
            return new DecoderModel(config, session, runOptions, path);
        }
        catch
        {
            session?.Dispose();
            runOptions.Dispose();
            throw;
        }
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
        Session.Dispose();
        RunOptions.Dispose();
    }

    private static SessionOptions CreateSessionOptions(DecoderConfig decoder, int intraOpThreads)
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
        foreach (var (key, value) in decoder.SessionConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        return options;
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
