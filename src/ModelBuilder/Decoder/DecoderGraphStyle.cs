namespace Chat.ModelBuilder.Decoder;

/// <summary>Which operator set the decoder graph is written with.</summary>
public enum DecoderGraphStyle
{
    /// <summary>Default ONNX domain operators only; runs on any ONNX runtime.</summary>
    Standard,

    /// <summary>The com.microsoft fused operators the onnxruntime-genai builder emits for CPU.</summary>
    Contrib,
}
