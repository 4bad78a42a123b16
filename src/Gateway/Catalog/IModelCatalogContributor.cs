namespace Chat.Gateway.Catalog;

/// <summary>
/// A source of entries for <c>GET /models</c>. The classifier registry is one; the chat side
/// registers another for the decoder (<c>services.AddSingleton&lt;IModelCatalogContributor, ...&gt;()</c>).
/// Called per listing, so an implementation returns its current state.
/// </summary>
public interface IModelCatalogContributor
{
    IReadOnlyList<ModelCatalogEntry> GetEntries();
}
