using System.Text.Json;
using Chat.Inference.Templates.Internal;
using Chat.Inference.Tokenization.Internal;

namespace Chat.Inference.Templates;

/// <summary>Loads a model folder's chat template and compiles it once.</summary>
public static class ChatTemplateLoader
{
    /// <summary>
    /// The ChatML template used when a folder declares none:
    /// <c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n</c> per message, then <c>&lt;|im_start|&gt;assistant\n</c>.
    /// </summary>
    public const string ChatMLTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    private const string ConfigFile = "tokenizer_config.json";

    /// <summary>
    /// Compiles the chat template for <paramref name="modelFolder"/>: <paramref name="templateOverride"/> when
    /// given (template source text), else tokenizer_config.json's <c>chat_template</c> (a string, or a list of
    /// {name, template} from which "default" is taken), else a chat_template.jinja file in the folder, else
    /// <see cref="ChatMLTemplate"/> (ChatML). The template sees <c>messages</c>, <c>add_generation_prompt</c>,
    /// <c>raise_exception</c>, <c>namespace</c>, <c>range</c>, <c>strftime_now</c> and the special tokens of
    /// tokenizer_config.json (bos_token, eos_token, unk_token, pad_token, ...), as transformers renders it.
    /// </summary>
    /// <exception cref="ChatTemplateException">The template does not compile; the message names line and column.</exception>
    /// <exception cref="InvalidDataException">tokenizer_config.json is malformed (the message names the key).</exception>
    public static IChatTemplate Load(string modelFolder, string? templateOverride = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        using var config = JsonFile.Open(Path.Combine(modelFolder, ConfigFile), required: false);
        var root = config.RootElement;
        var specialTokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            // Flags such as "add_bos_token": false share the suffix; only strings and AddedToken objects are tokens.
            if (property.Name.EndsWith("_token", StringComparison.Ordinal)
                && property.Value.ValueKind is JsonValueKind.String or JsonValueKind.Object
                && JsonFile.OptionalTokenContent(root, property.Name, ConfigFile) is { } content)
            {
                specialTokens[property.Name] = content;
            }
        }

        var source = templateOverride ?? ReadTemplate(root) ?? ReadJinjaFile(modelFolder) ?? ChatMLTemplate;
        return new JinjaChatTemplate(source, specialTokens);
    }

    private static string? ReadTemplate(JsonElement root)
    {
        if (JsonFile.Optional(root, "chat_template") is not { } template)
        {
            return null;
        }

        if (template.ValueKind == JsonValueKind.String)
        {
            return template.GetString();
        }

        if (template.ValueKind != JsonValueKind.Array)
        {
            throw JsonFile.Error(ConfigFile, "chat_template", "must be a string or a list of {name, template}");
        }

        var index = 0;
        foreach (var entry in template.EnumerateArray())
        {
            var path = $"chat_template[{index++}]";
            if (JsonFile.RequiredString(entry, "name", ConfigFile, path + ".name") == "default")
            {
                return JsonFile.RequiredString(entry, "template", ConfigFile, path + ".template");
            }
        }

        throw JsonFile.Error(ConfigFile, "chat_template", "lists named templates but none is named \"default\"");
    }

    private static string? ReadJinjaFile(string folder)
    {
        var path = Path.Combine(folder, "chat_template.jinja");
        return File.Exists(path) ? File.ReadAllText(path) : null;
    }
}
