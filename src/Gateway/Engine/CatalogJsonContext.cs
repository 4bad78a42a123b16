using System.Text.Json.Serialization;

namespace Chat.Gateway.Engine;

[JsonSerializable(typeof(DecoderCatalogMetadata))]
internal sealed partial class CatalogJsonContext : JsonSerializerContext;
