using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Gateway.Contracts;

/// <summary>Reads a prompt given as a string, an array of token ids, or a one-element array of either.</summary>
public sealed class CompletionPromptJsonConverter : JsonConverter<CompletionPrompt>
{
    private const string Expected = "prompt must be a string or an array of token ids.";

    public override CompletionPrompt Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new CompletionPrompt(reader.GetString(), null);
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new JsonException(Expected);
        }

        var ids = new List<int>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Number when reader.TryGetInt32(out var id):
                    ids.Add(id);
                    break;
                // OpenAI also allows a batch of prompts; one prompt per request is served here.
                case JsonTokenType.String when ids.Count == 0:
                    var text = reader.GetString();
                    if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                    {
                        throw new JsonException("prompt: only one prompt per request is supported.");
                    }

                    return new CompletionPrompt(text, null);
                case JsonTokenType.StartArray when ids.Count == 0:
                    var inner = Read(ref reader, typeToConvert, options);
                    if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                    {
                        throw new JsonException("prompt: only one prompt per request is supported.");
                    }

                    return inner;
                default:
                    throw new JsonException(Expected);
            }
        }

        return new CompletionPrompt(null, ids);
    }

    public override void Write(Utf8JsonWriter writer, CompletionPrompt value, JsonSerializerOptions options)
    {
        if (value.TokenIds is { } ids)
        {
            writer.WriteStartArray();
            foreach (var id in ids)
            {
                writer.WriteNumberValue(id);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WriteStringValue(value.Text);
        }
    }
}
