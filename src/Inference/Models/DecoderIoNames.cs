namespace Chat.Inference.Models;

/// <summary>
/// Graph input/output names. KV names are printf-style templates with one <c>%d</c> for the layer:
/// either separate key/value tensors (<c>past_key_values.%d.key</c>) or gpt2-style combined ones
/// (<c>past_%d</c> of shape 2 x batch x heads x seq x head_size).
/// </summary>
public sealed record DecoderIoNames
{
    public string InputIds { get; init; } = "input_ids";

    public string AttentionMask { get; init; } = "attention_mask";

    public string PositionIds { get; init; } = "position_ids";

    public string PastKeyNames { get; init; } = "past_key_values.%d.key";

    public string PastValueNames { get; init; } = "past_key_values.%d.value";

    /// <summary>Combined key+value past template; null when the model uses separate tensors.</summary>
    public string? PastNames { get; init; }

    public string Logits { get; init; } = "logits";

    public string PresentKeyNames { get; init; } = "present.%d.key";

    public string PresentValueNames { get; init; } = "present.%d.value";

    public string? PresentNames { get; init; }

    public bool CombinedKeyValue => PastNames is not null;

    /// <summary>Past KV input names in graph order: per layer key then value, or one combined tensor.</summary>
    public IReadOnlyList<string> PastNamesFor(int layers) =>
        CombinedKeyValue ? Expand(layers, PastNames!) : Expand(layers, PastKeyNames, PastValueNames);

    /// <summary>Present KV output names, in the same order as <see cref="PastNamesFor"/>.</summary>
    public IReadOnlyList<string> PresentNamesFor(int layers) =>
        CombinedKeyValue ? Expand(layers, PresentNames!) : Expand(layers, PresentKeyNames, PresentValueNames);

    /// <summary>Expands a <c>%d</c> template for one layer.</summary>
    public static string ForLayer(string template, int layer) =>
        template.Replace("%d", layer.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    private static string[] Expand(int layers, params string[] templates)
    {
        var names = new string[layers * templates.Length];
        for (var layer = 0; layer < layers; layer++)
        {
            for (var t = 0; t < templates.Length; t++)
            {
                names[(layer * templates.Length) + t] = ForLayer(templates[t], layer);
            }
        }

        return names;
    }
}
