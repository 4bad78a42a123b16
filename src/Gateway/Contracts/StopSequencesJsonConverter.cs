using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chat.Gateway.Contracts;

/// <summary><c>stop</c> as OpenAI defines it: one string or an array of strings.</summary>
public sealed class StopSequencesJsonConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return [reader.GetString()!];
            case JsonTokenType.StartArray:
                var stops = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        throw new JsonException("stop must be a string or an array of strings.");
                    }

                    stops.Add(reader.GetString()!);
                }

                return stops;
            default:
                throw new JsonException("stop must be a string or an array of strings.");
        }
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var stop in value)
        {
            writer.WriteStringValue(stop);
        }

        writer.WriteEndArray();
    }
}
