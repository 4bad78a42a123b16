using Chat.Gateway.Hosting;

namespace Chat.Gateway.Catalog;

public static class CatalogApi
{
    /// <summary><c>GET /models</c> (and <c>/api/v1/models</c>): every model the gateway serves, from each <see cref="IModelCatalogContributor"/>.</summary>
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder routes) =>
        routes.MapAtRootAndV1(Map);

    private static void Map(IEndpointRouteBuilder routes, string nameSuffix) =>
        routes.MapGet("/models", ModelsEndpoint.Get)
            .WithName("Models" + nameSuffix)
            .WithSummary("Models served (classifiers and, when loaded, the chat decoder) with versions and metadata; ETag + Cache-Control.")
            .WithTags("Models");
}
