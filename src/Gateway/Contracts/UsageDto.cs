using System.Text.Json.Serialization;

namespace Chat.Gateway.Contracts;

public sealed record UsageDto(int PromptTokens, int CompletionTokens, int TotalTokens)
{
    /// <summary>Prompt tokens served from a kept KV prefix instead of prefill (omitted when none).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int CachedPromptTokens { get; init; }
}
