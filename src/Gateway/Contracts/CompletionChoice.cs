namespace Chat.Gateway.Contracts;

/// <summary>One <c>text_completion</c> choice; the token id lists are present with <c>return_token_ids</c> (as vLLM).</summary>
public sealed record CompletionChoice(int Index, string Text, string FinishReason, IReadOnlyList<int>? PromptTokenIds, IReadOnlyList<int>? TokenIds)
{
    /// <summary>Always null: log probabilities are not served.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.Never)]
    public object? Logprobs => null;
}
