using System.Text.Json.Serialization;
using Chat.Gateway.Contracts;

namespace Chat.Gateway.Realtime;

/// <summary>Source-generated JSON of the hub's payloads, camelCase as SignalR clients expect.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ConversationMessageOptions))]
[JsonSerializable(typeof(ChatStreamItem))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class HubJsonContext : JsonSerializerContext;
