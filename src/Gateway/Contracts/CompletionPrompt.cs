using System.Text.Json.Serialization;

namespace Chat.Gateway.Contracts;

/// <summary>The <c>prompt</c> of <c>/v1/completions</c>: text, or token ids used as they are.</summary>
[JsonConverter(typeof(CompletionPromptJsonConverter))]
public sealed record CompletionPrompt(string? Text, IReadOnlyList<int>? TokenIds);
