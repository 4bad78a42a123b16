namespace Chat.Gateway.Hosting;

/// <summary>Routes served at the root and again under <c>/api/v1</c> (DESIGN.md), endpoint names suffixed <c>V1</c> there.</summary>
internal static class VersionedRoutes
{
    public static IEndpointRouteBuilder MapAtRootAndV1(this IEndpointRouteBuilder routes, Action<IEndpointRouteBuilder, string> map)
    {
        map(routes, string.Empty);
        map(routes.MapGroup("/api/v1"), "V1");
        return routes;
    }
}
