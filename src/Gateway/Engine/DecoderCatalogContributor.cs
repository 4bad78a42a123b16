using System.Text.Json;
using Chat.Gateway.Catalog;

namespace Chat.Gateway.Engine;

/// <summary>Lists the loaded chat model in <c>GET /models</c> (nothing while it loads).</summary>
internal sealed class DecoderCatalogContributor(IGenerationEngineProvider provider) : IModelCatalogContributor
{
    public IReadOnlyList<ModelCatalogEntry> GetEntries()
    {
        if (!provider.IsReady)
        {
            return [];
        }

        var model = provider.GetEngine().Model;
        var metadata = JsonSerializer.SerializeToElement(
            new DecoderCatalogMetadata(model.Type, model.ContextLength, model.VocabSize, model.EosTokenIds),
            CatalogJsonContext.Default.DecoderCatalogMetadata);
        return [new ModelCatalogEntry(model.Id, "decoder", null, [new ModelCatalogVersion("loaded", metadata)])];
    }
}
