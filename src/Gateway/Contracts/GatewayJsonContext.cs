using System.Text.Json.Serialization;
using Chat.Gateway.Health;

namespace Chat.Gateway.Contracts;

/// <summary>Source-generated serialization of every wire shape; snake_case as the native and OpenAI contracts fix it.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(ChatRequest))]
[JsonSerializable(typeof(ChatResponse))]
[JsonSerializable(typeof(StreamDoneLine))]
[JsonSerializable(typeof(StreamErrorLine))]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(CompletionRequest))]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(UsageDto))]
[JsonSerializable(typeof(WebSocketEnvelope))]
[JsonSerializable(typeof(ReadinessReport))]
[JsonSerializable(typeof(HealthStatus))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;
