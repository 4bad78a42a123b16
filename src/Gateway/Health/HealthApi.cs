using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Gateway.Health;

public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", () => TypedResults.Ok(new HealthStatus("ok")))
            .WithName("Health")
            .WithSummary("Liveness: 200 while the process serves.")
            .WithTags("Health");

        routes.MapGet("/ready", GetReadiness)
            .WithName("Ready")
            .WithSummary("Readiness: 503 with the reason until every model is loaded and warmed, then 200 with the model ids.")
            .WithTags("Health");
        return routes;
    }

    private static Results<Ok<ReadinessReport>, JsonHttpResult<ReadinessReport>> GetReadiness(ReadinessTracker tracker, HttpResponse response)
    {
        var components = tracker.Snapshot().ToDictionary(c => c.Component, c => c.Detail, StringComparer.Ordinal);
        if (tracker.IsReady)
        {
            return TypedResults.Ok(new ReadinessReport("ready", components));
        }

        // A load balancer polls again shortly; say when.
        response.Headers.RetryAfter = "1";
        var status = components.Count == 0 ? "starting" : "not_ready";
        return TypedResults.Json(new ReadinessReport(status, components), statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
