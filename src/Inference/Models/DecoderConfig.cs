namespace Chat.Inference.Models;

/// <summary><c>model.decoder</c>: the ONNX graph, its shape facts and its input/output names.</summary>
public sealed record DecoderConfig
{
    /// <summary><c>model.decoder.filename</c>, relative to the model folder.</summary>
    public required string FileName { get; init; }

    public required int NumHiddenLayers { get; init; }

    public required int NumKeyValueHeads { get; init; }

    public required int HeadSize { get; init; }

    public int? HiddenSize { get; init; }

    public int? NumAttentionHeads { get; init; }

    public required DecoderIoNames Names { get; init; }

    /// <summary>
    /// <c>model.decoder.session_options</c> entries other than the structured ones (threads, log and
    /// provider options), passed to ONNX Runtime as session config entries.
    /// </summary>
    public IReadOnlyDictionary<string, string> SessionConfigEntries { get; init; } = new Dictionary<string, string>();

    /// <summary><c>session_options.intra_op_num_threads</c> when the config sets it.</summary>
    public int? IntraOpNumThreads { get; init; }

    /// <summary><c>model.decoder.run_options</c> string entries.</summary>
    public IReadOnlyDictionary<string, string> RunConfigEntries { get; init; } = new Dictionary<string, string>();
}
