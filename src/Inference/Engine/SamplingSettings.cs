namespace Chat.Inference.Engine;

/// <summary>
/// Token selection. Temperature 0 means greedy (argmax); penalties follow the usual definitions
/// (repetition: CTRL-style divide/multiply; presence and frequency: OpenAI-style subtraction).
/// </summary>
public sealed record SamplingSettings
{
    public static SamplingSettings Greedy { get; } = new();

    public float Temperature { get; init; }

    public float TopP { get; init; } = 1f;

    /// <summary>0 disables top-k.</summary>
    public int TopK { get; init; }

    public float MinP { get; init; }

    public float RepetitionPenalty { get; init; } = 1f;

    public float PresencePenalty { get; init; }

    public float FrequencyPenalty { get; init; }

    /// <summary>Same seed, same tokens. Null picks a random seed.</summary>
    public long? Seed { get; init; }

    public bool IsGreedy => Temperature <= 0f;
}
