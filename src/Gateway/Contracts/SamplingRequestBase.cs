using System.Text.Json.Serialization;

namespace Chat.Gateway.Contracts;

/// <summary>Generation fields shared by the native and OpenAI-compatible request bodies (vLLM-style extras included).</summary>
public abstract record SamplingRequestBase
{
    public int? MaxTokens { get; init; }

    public float? Temperature { get; init; }

    public float? TopP { get; init; }

    public int? TopK { get; init; }

    public float? MinP { get; init; }

    public float? RepetitionPenalty { get; init; }

    public float? PresencePenalty { get; init; }

    public float? FrequencyPenalty { get; init; }

    public long? Seed { get; init; }

    /// <summary>A string or an array of strings.</summary>
    [JsonConverter(typeof(StopSequencesJsonConverter))]
    public IReadOnlyList<string>? Stop { get; init; }

    public bool? IgnoreEos { get; init; }
}
