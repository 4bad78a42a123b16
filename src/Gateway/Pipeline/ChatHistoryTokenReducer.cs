using Chat.Inference.Templates;
using Chat.Inference.Tokenization;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Chat.Gateway.Pipeline;

/// <summary>
/// Trims a chat history to a token budget (the model's context minus the tokens to generate),
/// counting exactly as the engine will: the model's chat template rendered and tokenized. Leading
/// system messages always stay; the oldest other messages go first; the newest message always stays
/// (if it alone is over budget the caller rejects the request).
/// </summary>
public sealed class ChatHistoryTokenReducer(ITokenizer tokenizer, IChatTemplate template, int tokenBudget) : IChatHistoryReducer
{
    public Task<IEnumerable<ChatMessageContent>?> ReduceAsync(IReadOnlyList<ChatMessageContent> chatHistory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chatHistory);
        if (chatHistory.Count == 0 || CountTokens(chatHistory) <= tokenBudget)
        {
            return Task.FromResult<IEnumerable<ChatMessageContent>?>(null);
        }

        var systemCount = 0;
        while (systemCount < chatHistory.Count && chatHistory[systemCount].Role == AuthorRole.System)
        {
            systemCount++;
        }

        // Binary search for the earliest start of the kept tail that fits: fewer messages never need more tokens.
        var low = systemCount;
        var high = chatHistory.Count - 1;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (CountTokens(Keep(chatHistory, systemCount, mid)) <= tokenBudget)
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }

        return Task.FromResult<IEnumerable<ChatMessageContent>?>(Keep(chatHistory, systemCount, low));
    }

    /// <summary>Prompt tokens of the history as the engine's template renders it for generation.</summary>
    public int CountTokens(IReadOnlyList<ChatMessageContent> history)
    {
        var turns = new ChatTurn[history.Count];
        for (var i = 0; i < turns.Length; i++)
        {
            turns[i] = new ChatTurn(history[i].Role.Label, history[i].Content ?? "");
        }

        return tokenizer.Encode(template.Render(turns, addGenerationPrompt: true), addSpecialTokens: true).Length;
    }

    private static List<ChatMessageContent> Keep(IReadOnlyList<ChatMessageContent> history, int systemCount, int tailStart)
    {
        var kept = new List<ChatMessageContent>(systemCount + history.Count - tailStart);
        for (var i = 0; i < systemCount; i++)
        {
            kept.Add(history[i]);
        }

        for (var i = tailStart; i < history.Count; i++)
        {
            kept.Add(history[i]);
        }

        return kept;
    }
}
