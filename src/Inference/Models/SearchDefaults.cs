namespace Chat.Inference.Models;

/// <summary>
/// <c>search</c> section defaults. A null value means the config does not set it, so a caller's own
/// default applies (OpenAI-style "disabled" for filters and penalties).
/// </summary>
public sealed record SearchDefaults
{
    /// <summary>Total length (prompt + generated) the reference runtime stops at.</summary>
    public int? MaxLength { get; init; }

    public bool DoSample { get; init; }

    public float? Temperature { get; init; }

    public int? TopK { get; init; }

    public float? TopP { get; init; }

    public float? RepetitionPenalty { get; init; }
}
