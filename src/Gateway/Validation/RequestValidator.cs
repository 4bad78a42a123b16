using Chat.Gateway.Contracts;
using Chat.Gateway.Options;
using Chat.Gateway.Pipeline;
using Chat.Inference.Templates;

namespace Chat.Gateway.Validation;

/// <summary>
/// Checks what can be checked without the model (shapes, roles, sampling ranges) and collects every
/// offending field before failing, so a client fixes its request in one round trip.
/// </summary>
public sealed class RequestValidator(ChatApiOptions options)
{
    private static readonly string[] Roles = ["system", "user", "assistant"];

    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public IReadOnlyList<ChatTurn> Messages(IReadOnlyList<ChatMessageDto?>? messages, string? shorthand = null)
    {
        if (messages is null && shorthand is not null)
        {
            if (shorthand.Length == 0)
            {
                Add("message", "message must not be empty.");
            }

            return [new ChatTurn("user", shorthand)];
        }

        if (messages is null || messages.Count == 0)
        {
            Add("messages", "messages must be a non-empty array (or give message).");
            return [];
        }

        if (shorthand is not null)
        {
            Add("message", "Give either messages or message, not both.");
        }

        if (messages.Count > options.MaxMessages)
        {
            Add("messages", $"At most {options.MaxMessages} messages are accepted (Chat:MaxMessages).");
        }

        var turns = new ChatTurn[messages.Count];
        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            if (message is null)
            {
                Add($"messages[{i}]", "A message must be an object with role and content.");
                continue;
            }

            if (message.Role is null || Array.IndexOf(Roles, message.Role) < 0)
            {
                Add($"messages[{i}].role", $"role must be one of {string.Join(", ", Roles)}.");
            }

            if (message.Content is null)
            {
                Add($"messages[{i}].content", "content is required.");
            }

            turns[i] = new ChatTurn(message.Role ?? "", message.Content ?? "");
        }

        return turns;
    }

    public GenerationParameters Parameters(SamplingRequestBase request, int? maxTokens)
    {
        if (maxTokens is <= 0)
        {
            Add("max_tokens", "max_tokens must be at least 1.");
        }

        Range("temperature", request.Temperature, 0f, 2f, "between 0 and 2");
        if (request.TopP is { } topP && !(topP > 0f && topP <= 1f))
        {
            Add("top_p", "top_p must be greater than 0 and at most 1.");
        }

        if (request.TopK is < 0)
        {
            Add("top_k", "top_k must be 0 (disabled) or more.");
        }

        Range("min_p", request.MinP, 0f, 1f, "between 0 and 1");
        if (request.RepetitionPenalty is { } repetition && !(repetition > 0f && repetition <= 10f))
        {
            Add("repetition_penalty", "repetition_penalty must be greater than 0 and at most 10.");
        }

        Range("presence_penalty", request.PresencePenalty, -2f, 2f, "between -2 and 2");
        Range("frequency_penalty", request.FrequencyPenalty, -2f, 2f, "between -2 and 2");

        var stop = request.Stop ?? [];
        if (stop.Count > options.MaxStopSequences)
        {
            Add("stop", $"At most {options.MaxStopSequences} stop sequences are accepted (Chat:MaxStopSequences).");
        }

        for (var i = 0; i < stop.Count; i++)
        {
            if (string.IsNullOrEmpty(stop[i]))
            {
                Add($"stop[{i}]", "A stop sequence must not be empty.");
            }
        }

        return new GenerationParameters
        {
            MaxTokens = maxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK,
            MinP = request.MinP,
            RepetitionPenalty = request.RepetitionPenalty,
            PresencePenalty = request.PresencePenalty,
            FrequencyPenalty = request.FrequencyPenalty,
            Seed = request.Seed,
            Stop = stop,
            IgnoreEos = request.IgnoreEos ?? false,
        };
    }

    /// <summary>OpenAI's <c>n</c>: one choice per request is served.</summary>
    public void SingleChoice(int? n)
    {
        if (n is { } count && count != 1)
        {
            Add("n", "Only n = 1 is supported.");
        }
    }

    public void Add(string field, string message)
    {
        _errors[field] = _errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
    }

    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            throw new RequestValidationException(_errors);
        }
    }

    private void Range(string field, float? value, float min, float max, string text)
    {
        if (value is { } set && !(set >= min && set <= max))
        {
            Add(field, $"{field} must be {text}.");
        }
    }
}
