namespace Chat.Inference.Engine;

/// <summary>Token counts and timings of one finished (or cancelled) generation.</summary>
public sealed record GenerationUsage(
    int PromptTokens,
    int CompletionTokens,
    TimeSpan QueueTime,
    TimeSpan TimeToFirstToken,
    TimeSpan TotalTime)
{
    /// <summary>Prompt tokens served from a reused KV prefix instead of prefill.</summary>
    public int CachedPromptTokens { get; init; }

    public double TokensPerSecond =>
        CompletionTokens <= 1 || TotalTime <= TimeToFirstToken
            ? 0
            : (CompletionTokens - 1) / (TotalTime - TimeToFirstToken).TotalSeconds;
}
