using System.Text.Json;

namespace Chat.Inference.Tokenization.Internal;

/// <summary>
/// Typed reads from a model folder's JSON files that fail with the file and key in the message.
/// Keys are written as paths ("model.merges[3]") so an error points at the exact spot.
/// </summary>
internal static class JsonFile
{
    public static JsonDocument Open(string path, bool required = true)
    {
        if (!File.Exists(path))
        {
            if (!required)
            {
                return JsonDocument.Parse("{}");
            }

            throw new FileNotFoundException($"{Path.GetFileName(path)} is missing from {Path.GetDirectoryName(path)}.", path);
        }

        try
        {
            var document = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw new InvalidDataException($"{path}: the root must be a JSON object.");
            }

            return document;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON ({e.Message}).", e);
        }
    }

    /// <summary>The property, or null when absent or JSON null.</summary>
    public static JsonElement? Optional(JsonElement obj, string name) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    public static JsonElement Required(JsonElement obj, string name, string file, string path) =>
        Optional(obj, name) ?? throw Error(file, path, "is missing");

    public static string RequiredString(JsonElement obj, string name, string file, string path)
    {
        var value = Required(obj, name, file, path);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Error(file, path, $"must be a string, not {value.ValueKind}");
    }

    public static string? OptionalString(JsonElement obj, string name, string file, string path)
    {
        var value = Optional(obj, name);
        if (value is null)
        {
            return null;
        }

        return value.Value.ValueKind == JsonValueKind.String ? value.Value.GetString() : throw Error(file, path, $"must be a string, not {value.Value.ValueKind}");
    }

    public static bool? OptionalBool(JsonElement obj, string name, string file, string path)
    {
        var value = Optional(obj, name);
        return value?.ValueKind switch
        {
            null => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(file, path, $"must be true or false, not {value.Value.ValueKind}"),
        };
    }

    public static int RequiredInt(JsonElement obj, string name, string file, string path)
    {
        var value = Required(obj, name, file, path);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var result) ? result : throw Error(file, path, "must be an integer");
    }

    /// <summary>A token given as a string or as an AddedToken object with "content".</summary>
    public static string? OptionalTokenContent(JsonElement obj, string name, string file)
    {
        var value = Optional(obj, name);
        return value?.ValueKind switch
        {
            null => null,
            JsonValueKind.String => value.Value.GetString(),
            JsonValueKind.Object => RequiredString(value.Value, "content", file, name + ".content"),
            _ => throw Error(file, name, $"must be a string or an object with \"content\", not {value.Value.ValueKind}"),
        };
    }

    public static InvalidDataException Error(string file, string path, string problem) => new($"{file}: \"{path}\" {problem}.");
}
