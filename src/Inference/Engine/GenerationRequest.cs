namespace Chat.Inference.Engine;

/// <summary>One sequence to generate: a tokenized prompt and how to continue it.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> PromptTokenIds { get; init; }

    /// <summary>Upper bound on generated tokens; the context length also bounds it.</summary>
    public int MaxNewTokens { get; init; } = 256;

    public SamplingSettings Sampling { get; init; } = SamplingSettings.Greedy;

    /// <summary>Strings that end generation; matched across token boundaries and never emitted.</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Keep generating past end-of-sequence tokens until a length limit.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Who asked (API key id or remote address): the unit of fair scheduling.</summary>
    public string ClientId { get; init; } = "";
}
