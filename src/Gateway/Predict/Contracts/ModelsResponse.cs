using System.Text.Json.Serialization;
using Chat.Gateway.Catalog;

namespace Chat.Gateway.Predict.Contracts;

/// <summary>Answer of <c>GET /models</c>.</summary>
public sealed record ModelsResponse([property: JsonPropertyName("models")] IReadOnlyList<ModelCatalogEntry> Models);
