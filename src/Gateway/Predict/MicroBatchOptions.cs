using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Predict;

/// <summary>
/// The <c>Predict:MicroBatch</c> section: concurrent requests for one model version are coalesced
/// into one ONNX Runtime call of up to <see cref="MaxBatchSize"/> rows, waiting at most
/// <see cref="MaxWaitMicroseconds"/> after the first row for others to join.
/// </summary>
public sealed class MicroBatchOptions
{
    public const string SectionName = "Predict:MicroBatch";

    [Range(1, 4_096, ErrorMessage = "Predict:MicroBatch:MaxBatchSize must be between {1} and {2}.")]
    public int MaxBatchSize { get; set; } = 64;

    [Range(0, 1_000_000, ErrorMessage = "Predict:MicroBatch:MaxWaitMicroseconds must be between {1} and {2}.")]
    public int MaxWaitMicroseconds { get; set; } = 200;

    /// <summary>Requests waiting for a batch beyond this are refused with 503 rather than queued without bound.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Predict:MicroBatch:MaxQueue must be between {1} and {2}.")]
    public int MaxQueue { get; set; } = 4_096;
}
