using System.ComponentModel.DataAnnotations;

namespace Chat.Gateway.Predict;

/// <summary>The <c>Predict</c> section: request limits and the prediction cache.</summary>
public sealed class PredictOptions
{
    public const string SectionName = "Predict";

    [Range(1, 100_000, ErrorMessage = "Predict:MaxBatchItems must be between {1} and {2}.")]
    public int MaxBatchItems { get; set; } = 256;

    [Range(1_024, 64 * 1024 * 1024, ErrorMessage = "Predict:MaxBodyBytes must be between {1} and {2}.")]
    public int MaxBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Lifetime of a cached prediction; 0 turns the cache off.</summary>
    [Range(0, 7 * 86_400, ErrorMessage = "Predict:CacheTtlSeconds must be between {1} and {2} (0 turns the cache off).")]
    public int CacheTtlSeconds { get; set; } = 300;
}
