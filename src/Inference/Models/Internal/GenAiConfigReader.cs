using System.Globalization;
using System.Text.Json;

namespace Chat.Inference.Models.Internal;

/// <summary>
/// Strict reader for genai_config.json: required keys must exist, known keys must have the right
/// JSON type, and every failure names the file and the dotted key. Unknown keys are ignored because
/// the format carries sections (vision, speech, embedding...) a text decoder does not use.
/// </summary>
internal static class GenAiConfigReader
{
    // Structured session_options keys; anything else with a string value is a session config entry.
    private static readonly HashSet<string> StructuredSessionKeys =
    [
        "log_id", "log_severity_level", "enable_profiling", "provider_options", "intra_op_num_threads",
        "inter_op_num_threads", "enable_cpu_mem_arena", "enable_mem_pattern", "graph_optimization_level",
        "custom_ops_library", "config_entries",
    ];

    public static GenAiConfig Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{source}: not valid JSON ({ex.Message}).", ex);
        }

        using (document)
        {
            var reader = new Reader(source);
            var model = reader.Object(document.RootElement, "model");
            var decoder = reader.Object(model, "model.decoder");
            var contextLength = reader.RequiredInt(model, "model.context_length", min: 1);

            var config = new GenAiConfig
            {
                ModelType = reader.RequiredString(model, "model.type"),
                Decoder = ReadDecoder(reader, decoder),
                EosTokenIds = reader.IntOrIntList(model, "model.eos_token_id"),
                BosTokenId = reader.OptionalInt(model, "model.bos_token_id"),
                PadTokenId = reader.RequiredInt(model, "model.pad_token_id", min: 0),
                ContextLength = contextLength,
                VocabSize = reader.RequiredInt(model, "model.vocab_size", min: 1),
                Search = ReadSearch(reader, document.RootElement),
            };
            return config;
        }
    }

    private static DecoderConfig ReadDecoder(Reader reader, JsonElement decoder)
    {
        var inputs = reader.OptionalObject(decoder, "model.decoder.inputs");
        var outputs = reader.OptionalObject(decoder, "model.decoder.outputs");
        var defaults = new DecoderIoNames();
        var names = new DecoderIoNames
        {
            InputIds = reader.OptionalString(inputs, "model.decoder.inputs.input_ids") ?? defaults.InputIds,
            AttentionMask = reader.OptionalString(inputs, "model.decoder.inputs.attention_mask") ?? defaults.AttentionMask,
            PositionIds = reader.OptionalString(inputs, "model.decoder.inputs.position_ids") ?? defaults.PositionIds,
            PastKeyNames = reader.OptionalTemplate(inputs, "model.decoder.inputs.past_key_names") ?? defaults.PastKeyNames,
            PastValueNames = reader.OptionalTemplate(inputs, "model.decoder.inputs.past_value_names") ?? defaults.PastValueNames,
            PastNames = reader.OptionalTemplate(inputs, "model.decoder.inputs.past_names"),
            Logits = reader.OptionalString(outputs, "model.decoder.outputs.logits") ?? defaults.Logits,
            PresentKeyNames = reader.OptionalTemplate(outputs, "model.decoder.outputs.present_key_names") ?? defaults.PresentKeyNames,
            PresentValueNames = reader.OptionalTemplate(outputs, "model.decoder.outputs.present_value_names") ?? defaults.PresentValueNames,
            PresentNames = reader.OptionalTemplate(outputs, "model.decoder.outputs.present_names"),
        };
        if (names.PastNames is null != names.PresentNames is null)
        {
            throw reader.Error(
                names.PastNames is null ? "model.decoder.inputs.past_names" : "model.decoder.outputs.present_names",
                "combined KV names must be given for both past (inputs.past_names) and present (outputs.present_names)");
        }

        var sessionOptions = reader.OptionalObject(decoder, "model.decoder.session_options");
        var entries = new Dictionary<string, string>(StringComparer.Ordinal);
        int? intraOp = null;
        if (sessionOptions is { } so)
        {
            foreach (var property in so.EnumerateObject())
            {
                if (property.Name == "intra_op_num_threads")
                {
                    intraOp = reader.RequiredInt(so, "model.decoder.session_options.intra_op_num_threads", min: 0);
                }
                else if (property.Name == "config_entries")
                {
                    AddStrings(reader, property.Value, "model.decoder.session_options.config_entries", entries);
                }
                else if (!StructuredSessionKeys.Contains(property.Name) && property.Value.ValueKind == JsonValueKind.String)
                {
                    entries[property.Name] = property.Value.GetString()!;
                }
            }
        }

        var runEntries = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.OptionalObject(decoder, "model.decoder.run_options") is { } runOptions)
        {
            AddStrings(reader, runOptions, "model.decoder.run_options", runEntries);
        }

        return new DecoderConfig
        {
            FileName = reader.RequiredString(decoder, "model.decoder.filename"),
            NumHiddenLayers = reader.RequiredInt(decoder, "model.decoder.num_hidden_layers", min: 1),
            NumKeyValueHeads = reader.RequiredInt(decoder, "model.decoder.num_key_value_heads", min: 1),
            HeadSize = reader.RequiredInt(decoder, "model.decoder.head_size", min: 1),
            HiddenSize = reader.OptionalInt(decoder, "model.decoder.hidden_size"),
            NumAttentionHeads = reader.OptionalInt(decoder, "model.decoder.num_attention_heads"),
            Names = names,
            SessionConfigEntries = entries,
            IntraOpNumThreads = intraOp,
            RunConfigEntries = runEntries,
        };
    }

    private static SearchDefaults ReadSearch(Reader reader, JsonElement root)
    {
        if (reader.OptionalObject(root, "search") is not { } search)
        {
            return new SearchDefaults();
        }

        return new SearchDefaults
        {
            MaxLength = reader.OptionalInt(search, "search.max_length"),
            DoSample = reader.OptionalBool(search, "search.do_sample") ?? false,
            Temperature = reader.OptionalFloat(search, "search.temperature"),
            TopK = reader.OptionalInt(search, "search.top_k"),
            TopP = reader.OptionalFloat(search, "search.top_p"),
            RepetitionPenalty = reader.OptionalFloat(search, "search.repetition_penalty"),
        };
    }

    private static void AddStrings(Reader reader, JsonElement element, string key, Dictionary<string, string> target)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw reader.Error(key, $"must be an object (found {element.ValueKind})");
        }

        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                target[property.Name] = property.Value.GetString()!;
            }
        }
    }

    /// <summary>Key lookups that know which file they read, so every error names file and key.</summary>
    private readonly struct Reader(string source)
    {
        public InvalidDataException Error(string key, string problem) => new($"{source}: '{key}' {problem}.");

        public JsonElement Object(JsonElement parent, string key) =>
            OptionalObject(parent, key) ?? throw Error(key, "is missing");

        public JsonElement? OptionalObject(JsonElement? parent, string key)
        {
            if (Find(parent, key) is not { } value)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Object ? value : throw Error(key, $"must be an object (found {value.ValueKind})");
        }

        public string RequiredString(JsonElement parent, string key) =>
            OptionalString(parent, key) ?? throw Error(key, "is missing");

        public string? OptionalString(JsonElement? parent, string key)
        {
            if (Find(parent, key) is not { } value)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
                ? text
                : throw Error(key, $"must be a non-empty string (found {value.ValueKind})");
        }

        public string? OptionalTemplate(JsonElement? parent, string key)
        {
            var template = OptionalString(parent, key);
            if (template is not null && !template.Contains("%d", StringComparison.Ordinal))
            {
                throw Error(key, $"must contain '%d' for the layer index (found \"{template}\")");
            }

            return template;
        }

        public int RequiredInt(JsonElement parent, string key, int min) =>
            OptionalInt(parent, key) is { } value
                ? value >= min ? value : throw Error(key, $"must be at least {min} (found {value})")
                : throw Error(key, "is missing");

        public int? OptionalInt(JsonElement? parent, string key)
        {
            if (Find(parent, key) is not { } value)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
                ? number
                : throw Error(key, $"must be an integer (found {Describe(value)})");
        }

        public float? OptionalFloat(JsonElement? parent, string key)
        {
            if (Find(parent, key) is not { } value)
            {
                return null;
            }

            return value.ValueKind == JsonValueKind.Number
                ? value.GetSingle()
                : throw Error(key, $"must be a number (found {Describe(value)})");
        }

        public bool? OptionalBool(JsonElement? parent, string key)
        {
            if (Find(parent, key) is not { } value)
            {
                return null;
            }

            return value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Error(key, $"must be true or false (found {Describe(value)})"),
            };
        }

        public IReadOnlyList<int> IntOrIntList(JsonElement parent, string key)
        {
            var value = Find(parent, key) ?? throw Error(key, "is missing");
            if (value.ValueKind == JsonValueKind.Number)
            {
                return [OptionalInt(parent, key)!.Value];
            }

            if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() == 0)
            {
                throw Error(key, $"must be an integer or a non-empty list of integers (found {Describe(value)})");
            }

            var ids = new List<int>();
            foreach (var item in value.EnumerateArray())
            {
                ids.Add(item.ValueKind == JsonValueKind.Number && item.TryGetInt32(out var id)
                    ? id
                    : throw Error(key, $"must contain only integers (found {Describe(item)})"));
            }

            return ids;
        }

        private static JsonElement? Find(JsonElement? parent, string key)
        {
            var name = key[(key.LastIndexOf('.') + 1)..];
            return parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
                ? value
                : null;
        }

        private static string Describe(JsonElement value) => value.ValueKind switch
        {
            JsonValueKind.String => $"\"{value.GetString()}\"",
            JsonValueKind.Number => value.GetRawText(),
            _ => value.ValueKind.ToString().ToLower(CultureInfo.InvariantCulture),
        };
    }
}
