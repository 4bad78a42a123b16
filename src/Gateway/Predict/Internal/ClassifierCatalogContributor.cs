using Chat.Gateway.Catalog;

namespace Chat.Gateway.Predict.Internal;

/// <summary>Lists every loaded classifier and its versions (newest first) in <c>GET /models</c>.</summary>
internal sealed class ClassifierCatalogContributor(PredictionService service) : IModelCatalogContributor
{
    public IReadOnlyList<ModelCatalogEntry> GetEntries()
    {
        var registry = service.Registry;
        return registry.Names
            .Select(name => registry.Versions(name))
            .Select(versions => new ModelCatalogEntry(
                versions[0].Name,
                "classifier",
                versions[0].Version,
                versions.Select(v => new ModelCatalogVersion(v.Version, v.Metadata.Document)).ToArray()))
            .ToArray();
    }
}
