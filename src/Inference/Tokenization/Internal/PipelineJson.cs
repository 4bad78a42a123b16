using System.Text;
using System.Text.Json;
using static Chat.Inference.Tokenization.Internal.JsonFile;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>Reads the normalizer, pre_tokenizer, post_processor and decoder sections of tokenizer.json.</summary>
internal static class PipelineJson
{
    private const string File = "tokenizer.json";

    public static TextNormalizer? ReadNormalizer(JsonElement? element, string path)
    {
        if (element is not { } e)
        {
            return null;
        }

        var type = RequiredString(e, "type", File, path + ".type");
        return type switch
        {
            "Sequence" => new TextNormalizer.Sequence(ReadArray(e, "normalizers", path, (item, p) => ReadNormalizer(item, p)!)),
            "Prepend" => new TextNormalizer.Prepend(RequiredString(e, "prepend", File, path + ".prepend")),
            "Replace" => new TextNormalizer.Replace(ReadStringPattern(e, path), RequiredString(e, "content", File, path + ".content")),
            "NFC" => new TextNormalizer.Nfc(),
            _ => throw Error(File, path + ".type", $"is \"{type}\", a normalizer this loader does not support (supported: Sequence, Prepend, Replace, NFC)"),
        };
    }

    public static PreTokenizer? ReadPreTokenizer(JsonElement? element, string path)
    {
        if (element is not { } e)
        {
            return null;
        }

        var type = RequiredString(e, "type", File, path + ".type");
        switch (type)
        {
            case "Sequence":
                return new PreTokenizer.Sequence(ReadArray(e, "pretokenizers", path, (item, p) => ReadPreTokenizer(item, p)!));
            case "ByteLevel":
                return new PreTokenizer.ByteLevel(
                    OptionalBool(e, "add_prefix_space", File, path + ".add_prefix_space") ?? true,
                    OptionalBool(e, "use_regex", File, path + ".use_regex") ?? true);
            case "Digits":
                return new PreTokenizer.Digits(OptionalBool(e, "individual_digits", File, path + ".individual_digits") ?? false);
            case "Metaspace":
                return new PreTokenizer.Metaspace(ReadReplacement(e, path), ReadPrependScheme(e, path), OptionalBool(e, "split", File, path + ".split") ?? true);
            case "Split":
                var pattern = Required(e, "pattern", File, path + ".pattern");
                var regex = OptionalString(pattern, "Regex", File, path + ".pattern.Regex") is { } r
                    ? PreTokenizer.CompilePattern(r)
                    : PreTokenizer.CompilePattern(System.Text.RegularExpressions.Regex.Escape(RequiredString(pattern, "String", File, path + ".pattern.String")));
                var behaviorName = RequiredString(e, "behavior", File, path + ".behavior");
                if (!Enum.TryParse<PreTokenizer.SplitBehavior>(behaviorName, out var behavior))
                {
                    throw Error(File, path + ".behavior", $"is \"{behaviorName}\", not one of {string.Join(", ", Enum.GetNames<PreTokenizer.SplitBehavior>())}");
                }

                return new PreTokenizer.RegexSplit(regex, behavior, OptionalBool(e, "invert", File, path + ".invert") ?? false);
            default:
                throw Error(File, path + ".type", $"is \"{type}\", a pre-tokenizer this loader does not support (supported: Sequence, ByteLevel, Split, Metaspace, Digits)");
        }
    }

    /// <summary>Ids added before and after the sequence when special tokens are requested.</summary>
    public static (int[] Prefix, int[] Suffix) ReadPostProcessor(JsonElement? element, string path)
    {
        if (element is not { } e)
        {
            return ([], []);
        }

        var type = RequiredString(e, "type", File, path + ".type");
        switch (type)
        {
            case "ByteLevel":
                return ([], []);
            case "Sequence":
                var prefix = new List<int>();
                var suffix = new List<int>();
                foreach (var (p, s) in ReadArray(e, "processors", path, (item, itemPath) => ReadPostProcessor(item, itemPath)))
                {
                    prefix.AddRange(p);
                    suffix.AddRange(s);
                }

                return (prefix.ToArray(), suffix.ToArray());
            case "TemplateProcessing":
                return ReadTemplate(e, path);
            default:
                throw Error(File, path + ".type", $"is \"{type}\", a post-processor this loader does not support (supported: TemplateProcessing, ByteLevel, Sequence)");
        }
    }

    /// <summary>Compiles the decoder chain into per-token bytes (see <see cref="DecodingPlan"/>).</summary>
    public static DecodingPlan ReadDecoder(JsonElement? element, string?[] tokens, bool[] special)
    {
        var steps = new List<JsonElement>();
        if (element is { } e)
        {
            Flatten(e, "decoder", steps);
        }

        var pieces = new byte[tokens.Length][];
        byte[][]? firstPieces = null;
        var stripChar = ' ';
        var stripCount = 0;
        var firstDiffers = element is null || steps.Any(s => s.GetProperty("type").GetString() == "Metaspace");
        if (firstDiffers)
        {
            firstPieces = new byte[tokens.Length][];
        }

        for (var id = 0; id < tokens.Length; id++)
        {
            var token = tokens[id] ?? string.Empty;
            pieces[id] = DecodeToken(token, steps, isFirst: false, ref stripChar, ref stripCount);
            if (firstPieces is not null)
            {
                firstPieces[id] = DecodeToken(token, steps, isFirst: true, ref stripChar, ref stripCount);
            }
        }

        if (element is null)
        {
            // Without a decoder the reference joins tokens with spaces.
            for (var id = 0; id < tokens.Length; id++)
            {
                pieces[id] = [(byte)' ', .. pieces[id]];
            }
        }

        return new DecodingPlan(pieces, firstPieces, special, stripChar, stripCount);
    }

    private static byte[] DecodeToken(string token, List<JsonElement> steps, bool isFirst, ref char stripChar, ref int stripCount)
    {
        string? text = token;
        byte[]? bytes = null;
        var fused = false;
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            var path = $"decoder step {i}";
            var type = step.GetProperty("type").GetString();
            switch (type)
            {
                case "Fuse":
                    fused = true;
                    break;
                case "ByteFallback":
                    if (text is { Length: 6 } && text.StartsWith("<0x", StringComparison.Ordinal) && text[5] == '>'
                        && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var value))
                    {
                        bytes = [value];
                        text = null;
                    }

                    break;
                case "ByteLevel":
                    if (text is not null)
                    {
                        bytes = ByteLevelAlphabet.Unmap(text);
                        text = null;
                    }

                    break;
                case "Replace" when text is not null:
                    text = text.Replace(ReadStringPattern(step, path), RequiredString(step, "content", File, path + ".content"), StringComparison.Ordinal);
                    break;
                case "Metaspace" when text is not null:
                    var replacement = ReadReplacement(step, path);
                    var removeAll = isFirst && ReadPrependScheme(step, path) != PreTokenizer.PrependScheme.Never;
                    text = removeAll ? text.Replace(replacement.ToString(), string.Empty, StringComparison.Ordinal) : text.Replace(replacement, ' ');
                    break;
                case "Strip":
                    var content = RequiredString(step, "content", File, path + ".content");
                    var start = RequiredInt(step, "start", File, path + ".start");
                    var stop = RequiredInt(step, "stop", File, path + ".stop");
                    if (content.Length != 1 || stop != 0 || !fused)
                    {
                        throw Error(File, "decoder", "has a Strip step other than Strip(content: one char, stop: 0) after Fuse, which this loader does not support");
                    }

                    (stripChar, stripCount) = (content[0], start);
                    break;
                case "Replace" or "Metaspace":
                    throw Error(File, "decoder", $"applies {type} after bytes were produced, which this loader does not support");
                default:
                    throw Error(File, path + ".type", $"is \"{type}\", a decoder this loader does not support (supported: Sequence, ByteLevel, ByteFallback, Replace, Fuse, Strip, Metaspace)");
            }
        }

        return bytes ?? Encoding.UTF8.GetBytes(text!);
    }

    private static void Flatten(JsonElement element, string path, List<JsonElement> steps)
    {
        var type = RequiredString(element, "type", File, path + ".type");
        if (type != "Sequence")
        {
            steps.Add(element);
            return;
        }

        var decoders = Required(element, "decoders", File, path + ".decoders");
        var index = 0;
        foreach (var item in decoders.EnumerateArray())
        {
            Flatten(item, $"{path}.decoders[{index++}]", steps);
        }
    }

    private static (int[] Prefix, int[] Suffix) ReadTemplate(JsonElement e, string path)
    {
        var specials = Required(e, "special_tokens", File, path + ".special_tokens");
        var prefix = new List<int>();
        var suffix = new List<int>();
        var seenSequence = false;
        var index = 0;
        foreach (var item in Required(e, "single", File, path + ".single").EnumerateArray())
        {
            var itemPath = $"{path}.single[{index++}]";
            if (Optional(item, "Sequence") is not null)
            {
                seenSequence = true;
                continue;
            }

            var name = RequiredString(Required(item, "SpecialToken", File, itemPath + ".SpecialToken"), "id", File, itemPath + ".SpecialToken.id");
            var entry = Required(specials, name, File, $"{path}.special_tokens.{name}");
            var ids = Required(entry, "ids", File, $"{path}.special_tokens.{name}.ids").EnumerateArray().Select(x => x.GetInt32());
            (seenSequence ? suffix : prefix).AddRange(ids);
        }

        return (prefix.ToArray(), suffix.ToArray());
    }

    private static string ReadStringPattern(JsonElement e, string path)
    {
        var pattern = Required(e, "pattern", File, path + ".pattern");
        return OptionalString(pattern, "String", File, path + ".pattern.String")
            ?? throw Error(File, path + ".pattern", "must be {\"String\": ...}; regex replacements are not supported");
    }

    private static char ReadReplacement(JsonElement e, string path)
    {
        var replacement = RequiredString(e, "replacement", File, path + ".replacement");
        return replacement.Length == 1 ? replacement[0] : throw Error(File, path + ".replacement", "must be one character");
    }

    private static PreTokenizer.PrependScheme ReadPrependScheme(JsonElement e, string path)
    {
        // Older files carry add_prefix_space instead of prepend_scheme.
        var scheme = OptionalString(e, "prepend_scheme", File, path + ".prepend_scheme");
        return scheme switch
        {
            null => OptionalBool(e, "add_prefix_space", File, path + ".add_prefix_space") ?? true ? PreTokenizer.PrependScheme.Always : PreTokenizer.PrependScheme.Never,
            "always" => PreTokenizer.PrependScheme.Always,
            "first" => PreTokenizer.PrependScheme.First,
            "never" => PreTokenizer.PrependScheme.Never,
            _ => throw Error(File, path + ".prepend_scheme", $"is \"{scheme}\", not always, first or never"),
        };
    }

    private static List<T> ReadArray<T>(JsonElement e, string name, string path, Func<JsonElement, string, T> read)
    {
        var array = Required(e, name, File, $"{path}.{name}");
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw Error(File, $"{path}.{name}", "must be an array");
        }

        var result = new List<T>();
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            result.Add(read(item, $"{path}.{name}[{index++}]"));
        }

        return result;
    }
}
