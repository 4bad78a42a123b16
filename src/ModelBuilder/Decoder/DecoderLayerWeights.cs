namespace Chat.ModelBuilder.Decoder;

/// <summary>
/// One transformer block. Projection matrices are row-major [in, out] (the ONNX MatMul layout, the
/// transpose of a PyTorch Linear weight), so they are written without reordering.
/// </summary>
public sealed class DecoderLayerWeights
{
    public required float[] InputNorm { get; init; }

    public required float[] QProj { get; init; }

    public required float[] KProj { get; init; }

    public required float[] VProj { get; init; }

    public required float[] OProj { get; init; }

    public required float[] PostAttentionNorm { get; init; }

    public required float[] GateProj { get; init; }

    public required float[] UpProj { get; init; }

    public required float[] DownProj { get; init; }
}
