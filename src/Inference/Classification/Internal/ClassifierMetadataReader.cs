using System.Text.Json;

namespace Chat.Inference.Classification.Internal;

/// <summary>Reads metadata.json strictly: each missing or mistyped field is reported by name and file.</summary>
internal static class ClassifierMetadataReader
{
    public static ClassifierMetadata Read(string path)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidDataException($"{path}: expected a JSON object");
            }

            var labels = Array(root, "labels", path).Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad(path, "labels[]", "a string")).ToArray();
            var features = Array(root, "features", path).Select(e => new ClassifierFeature(
                String(e, "name", path),
                Number(e, "min", path),
                Number(e, "max", path))).ToArray();
            if (labels.Length < 2 || features.Length == 0)
            {
                throw new InvalidDataException($"{path}: needs at least two labels and one feature");
            }

            if (features.Select(f => f.Name).Distinct(StringComparer.Ordinal).Count() != features.Length)
            {
                throw new InvalidDataException($"{path}: feature names must be distinct");
            }

            return new ClassifierMetadata(
                String(root, "name", path),
                String(root, "version", path),
                root.TryGetProperty("sequence", out var sequence) && sequence.TryGetInt64(out var s) ? s : throw Bad(path, "sequence", "an integer"),
                String(root, "model_file", path),
                String(root, "input", path),
                String(root, "output", path),
                labels,
                features,
                OptionalNumber(root, "cv_accuracy", path),
                OptionalNumber(root, "training_accuracy", path),
                root.TryGetProperty("created_by", out var createdBy) ? createdBy.GetString() : null)
            {
                Document = root.Clone(),
            };
        }
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw Bad(path, name, "an array");

    private static string String(JsonElement parent, string name, string path) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw Bad(path, name, "a non-empty string");

    private static double Number(JsonElement parent, string name, string path) =>
        parent.ValueKind == JsonValueKind.Object && parent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDouble()
            : throw Bad(path, name, "a number");

    private static double? OptionalNumber(JsonElement parent, string name, string path) =>
        parent.TryGetProperty(name, out _) ? Number(parent, name, path) : null;

    private static InvalidDataException Bad(string path, string field, string expected) =>
        new($"{path}: '{field}' must be {expected}");
}
