namespace Chat.Gateway.Health;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok")))
            .WithName("Health")
            .WithSummary("Liveness: 200 while the process serves.")
            .WithTags("Health");
        return routes;
    }
}
