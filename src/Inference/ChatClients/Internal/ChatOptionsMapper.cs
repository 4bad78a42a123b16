using System.Globalization;
using System.Text.Json;
using Chat.Inference.Engine;
using Chat.Inference.Models;
using Microsoft.Extensions.AI;

namespace Chat.Inference.ChatClients.Internal;

/// <summary>
/// ChatOptions to a <see cref="GenerationRequest"/>. A field the caller leaves unset falls back to the
/// model's genai_config search defaults (sampling only when <c>do_sample</c> is true), else to the
/// engine's disabled value. Extra sampling fields arrive in AdditionalProperties as vLLM names them.
/// </summary>
internal sealed class ChatOptionsMapper(SearchDefaults defaults, int contextLength)
{
    public const string MinP = "min_p";
    public const string RepetitionPenalty = "repetition_penalty";
    public const string IgnoreEos = "ignore_eos";

    public GenerationRequest ToRequest(int[] prompt, ChatOptions? options)
    {
        var extra = options?.AdditionalProperties;
        var temperature = options?.Temperature ?? (defaults.DoSample ? defaults.Temperature ?? 1f : 0f);
        var topP = options?.TopP ?? (defaults.DoSample ? defaults.TopP : null) ?? 1f;
        var sampling = new SamplingSettings
        {
            Temperature = Check(temperature, 0f, float.MaxValue, nameof(ChatOptions.Temperature)),
            TopP = topP is > 0f and <= 1f ? topP : throw Invalid(nameof(ChatOptions.TopP), topP, "in (0, 1]"),
            TopK = Check(options?.TopK ?? (defaults.DoSample ? defaults.TopK : null) ?? 0, 0, int.MaxValue, nameof(ChatOptions.TopK)),
            MinP = Check(Number(extra, MinP) ?? 0f, 0f, 1f, MinP),
            RepetitionPenalty = Check(Number(extra, RepetitionPenalty) ?? defaults.RepetitionPenalty ?? 1f, float.Epsilon, float.MaxValue, RepetitionPenalty),
            PresencePenalty = Check(options?.PresencePenalty ?? 0f, -2f, 2f, nameof(ChatOptions.PresencePenalty)),
            FrequencyPenalty = Check(options?.FrequencyPenalty ?? 0f, -2f, 2f, nameof(ChatOptions.FrequencyPenalty)),
            Seed = options?.Seed,
        };

        // genai's max_length bounds prompt + output; without it the context length does.
        var room = Math.Max((defaults.MaxLength ?? contextLength) - prompt.Length, 1);
        var maxTokens = options?.MaxOutputTokens ?? room;
        return new GenerationRequest
        {
            PromptTokenIds = prompt,
            MaxNewTokens = maxTokens >= 1 ? maxTokens : throw Invalid(nameof(ChatOptions.MaxOutputTokens), maxTokens, "at least 1"),
            Sampling = sampling,
            StopSequences = options?.StopSequences is { } stops ? [.. stops] : [],
            IgnoreEos = Flag(extra, IgnoreEos) ?? false,
        };
    }

    private static T Check<T>(T value, T min, T max, string name)
        where T : IComparable<T> =>
        value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0 ? value : throw Invalid(name, value, $"between {min} and {max}");

    private static ArgumentException Invalid(string name, object? value, string expected) =>
        new($"Chat option '{name}' must be {expected} (was {Convert.ToString(value, CultureInfo.InvariantCulture)}).", name);

    private static float? Number(AdditionalPropertiesDictionary? extra, string key)
    {
        if (extra is null || !extra.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            JsonElement { ValueKind: JsonValueKind.Number } json => json.GetSingle(),
            IConvertible convertible when value is not string and not bool => convertible.ToSingle(CultureInfo.InvariantCulture),
            _ => throw Invalid(key, value, "a number"),
        };
    }

    private static bool? Flag(AdditionalPropertiesDictionary? extra, string key)
    {
        if (extra is null || !extra.TryGetValue(key, out var value) || value is null)
        {
            return null;
        }

        return value switch
        {
            bool flag => flag,
            JsonElement { ValueKind: JsonValueKind.True } => true,
            JsonElement { ValueKind: JsonValueKind.False } => false,
            _ => throw Invalid(key, value, "true or false"),
        };
    }
}
