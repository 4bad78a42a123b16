using Chat.Inference.Engine;
using Microsoft.SemanticKernel;

namespace Chat.Gateway.Pipeline;

/// <summary>Validated, transport-neutral generation settings of one request.</summary>
public sealed record GenerationParameters
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

    public IReadOnlyList<string> Stop { get; init; } = [];

    public bool IgnoreEos { get; init; }

    /// <summary>The engine's own sampling settings (for routes that skip the chat pipeline).</summary>
    public SamplingSettings ToSamplingSettings() => new()
    {
        Temperature = Temperature ?? 0f,
        TopP = TopP ?? 1f,
        TopK = TopK ?? 0,
        MinP = MinP ?? 0f,
        RepetitionPenalty = RepetitionPenalty ?? 1f,
        PresencePenalty = PresencePenalty ?? 0f,
        FrequencyPenalty = FrequencyPenalty ?? 0f,
        Seed = Seed,
    };

    /// <summary>
    /// Semantic Kernel settings; SK maps the well-known keys onto <c>ChatOptions</c> properties and passes
    /// the engine-specific ones (<c>min_p</c>, <c>repetition_penalty</c>, <c>ignore_eos</c>) as additional properties.
    /// </summary>
    public PromptExecutionSettings ToExecutionSettings(int maxTokens)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["max_tokens"] = maxTokens };
        Add(data, "temperature", Temperature);
        Add(data, "top_p", TopP);
        Add(data, "top_k", TopK);
        Add(data, "min_p", MinP);
        Add(data, "repetition_penalty", RepetitionPenalty);
        Add(data, "presence_penalty", PresencePenalty);
        Add(data, "frequency_penalty", FrequencyPenalty);
        Add(data, "seed", Seed);
        if (Stop.Count > 0)
        {
            data["stop_sequences"] = Stop.ToArray();
        }

        if (IgnoreEos)
        {
            data["ignore_eos"] = true;
        }

        return new PromptExecutionSettings { ExtensionData = data };
    }

    private static void Add<T>(Dictionary<string, object> data, string key, T? value)
        where T : struct
    {
        if (value is { } set)
        {
            data[key] = set;
        }
    }
}
