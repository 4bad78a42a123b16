using System.Buffers;
using System.Text.Json;
using Chat.Inference.Classification;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Reads predict bodies with <see cref="Utf8JsonReader"/> straight into float rows, so each error can
/// name its field and index. Bodies are first checked to be well-formed JSON (a syntax error is a 400,
/// whatever comes before it); then the first content error is reported (a 422).
/// Accepted rows: <c>[f0, f1, ...]</c> in the model's feature order, or <c>{"feature name": value, ...}</c>.
/// Values must be JSON numbers that fit a finite float.
/// </summary>
internal static class PredictRequestReader
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16 };

    /// <summary><c>{"features": row}</c>.</summary>
    public static PredictInputError? ReadSingle(ReadOnlySequence<byte> body, ClassifierModel model, out float[] row)
    {
        row = new float[model.FeatureCount];
        var reader = StartRoot(body);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new PredictInputError("$", "the body must be a JSON object {\"features\": [...]}");
        }

        var found = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("features"u8))
            {
                return UnknownProperty(ref reader, "features");
            }

            if (found)
            {
                return new PredictInputError("features", "is given twice");
            }

            found = true;
            reader.Read();
            if (ReadRow(ref reader, model, row, item: -1) is { } error)
            {
                return error;
            }
        }

        return found ? null : new PredictInputError("features", "is required");
    }

    /// <summary><c>{"items": [row, row, ...]}</c> with 1 to <paramref name="maxItems"/> rows.</summary>
    public static PredictInputError? ReadBatch(ReadOnlySequence<byte> body, ClassifierModel model, int maxItems, out float[] features, out int rows)
    {
        features = [];
        rows = 0;
        var reader = StartRoot(body);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return new PredictInputError("$", "the body must be a JSON object {\"items\": [[...], ...]}");
        }

        var width = model.FeatureCount;
        var found = false;
        var buffer = ArrayPool<float>.Shared.Rent(maxItems * width);
        try
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("items"u8))
                {
                    return UnknownProperty(ref reader, "items");
                }

                if (found)
                {
                    return new PredictInputError("items", "is given twice");
                }

                found = true;
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    return new PredictInputError("items", $"must be an array of rows, got {Describe(reader.TokenType)}");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (rows == maxItems)
                    {
                        return new PredictInputError("items", $"holds more than the maximum of {maxItems} items");
                    }

                    if (ReadRow(ref reader, model, buffer.AsSpan(rows * width, width), item: rows) is { } error)
                    {
                        return error;
                    }

                    rows++;
                }

                if (rows == 0)
                {
                    return new PredictInputError("items", "must hold at least one item");
                }
            }

            if (!found)
            {
                return new PredictInputError("items", "is required");
            }

            features = buffer.AsSpan(0, rows * width).ToArray();
            return null;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>Throws <see cref="JsonException"/> when the body is not one well-formed JSON value.</summary>
    private static Utf8JsonReader StartRoot(ReadOnlySequence<byte> body)
    {
        var check = new Utf8JsonReader(body, Options);
        check.Read();
        check.Skip();
        check.Read();

        var reader = new Utf8JsonReader(body, Options);
        reader.Read();
        return reader;
    }

    /// <summary>Reads one row; <paramref name="item"/> is its index in <c>items</c>, or -1 for the single <c>features</c>.</summary>
    private static PredictInputError? ReadRow(ref Utf8JsonReader reader, ClassifierModel model, Span<float> row, int item)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartArray:
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (ReadValue(ref reader) is { } problem)
                    {
                        return new PredictInputError($"{Field(item)}[{count}]", problem);
                    }

                    if (count < row.Length)
                    {
                        row[count] = (float)reader.GetDouble();
                    }

                    count++;
                }

                return count == row.Length ? null : new PredictInputError(Field(item), $"expected {row.Length} numbers, got {count}");

            case JsonTokenType.StartObject:
                var seen = new bool[row.Length];
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var index = FeatureIndex(ref reader, model);
                    if (index < 0)
                    {
                        return new PredictInputError($"{Field(item)}[\"{reader.GetString()}\"]", $"is not a feature of {model.Name}");
                    }

                    if (seen[index])
                    {
                        return new PredictInputError(Named(item, model, index), "is given twice");
                    }

                    reader.Read();
                    if (ReadValue(ref reader) is { } problem)
                    {
                        return new PredictInputError(Named(item, model, index), problem);
                    }

                    row[index] = (float)reader.GetDouble();
                    seen[index] = true;
                }

                var missing = Array.IndexOf(seen, false);
                return missing < 0 ? null : new PredictInputError(Named(item, model, missing), "is missing");

            default:
                return new PredictInputError(Field(item), $"must be an array of {row.Length} numbers or an object keyed by feature name, got {Describe(reader.TokenType)}");
        }
    }

    /// <summary>Null when the current token is a number that fits a finite float; the reason otherwise.</summary>
    private static string? ReadValue(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            return $"must be a number, got {Describe(reader.TokenType)}";
        }

        if (!reader.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            return "must be a finite number (NaN and Infinity are not accepted)";
        }

        return Math.Abs(value) > float.MaxValue ? "is outside the float32 range" : null;
    }

    private static string Field(int item) => item < 0 ? "features" : $"items[{item}]";

    private static string Named(int item, ClassifierModel model, int index) =>
        $"{Field(item)}[\"{model.Metadata.Features[index].Name}\"]";

    private static int FeatureIndex(ref Utf8JsonReader reader, ClassifierModel model)
    {
        var features = model.Metadata.Features;
        for (var i = 0; i < features.Count; i++)
        {
            if (reader.ValueTextEquals(features[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    private static PredictInputError UnknownProperty(ref Utf8JsonReader reader, string expected) =>
        new(reader.GetString()!, $"is not a known property (expected \"{expected}\")");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.StartObject => "an object",
        _ => token.ToString(),
    };
}
