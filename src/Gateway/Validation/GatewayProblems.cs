using Microsoft.AspNetCore.Mvc;

namespace Chat.Gateway.Validation;

/// <summary>
/// RFC 9457 problem details for the gateway's errors. Each names the offending field in an
/// <c>errors</c> map and a <c>field</c> extension; on the OpenAI-compatible routes an OpenAI-style
/// <c>error</c> object rides along so OpenAI SDKs show the message.
/// </summary>
public static class GatewayProblems
{
    public static IResult Invalid(HttpContext context, RequestValidationException exception)
    {
        var problem = new HttpValidationProblemDetails(exception.Errors.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal))
        {
            Status = exception.StatusCode,
            Title = exception.StatusCode switch
            {
                StatusCodes.Status404NotFound => "Unknown model.",
                StatusCodes.Status413PayloadTooLarge => "Request body too large.",
                _ => "The request is invalid.",
            },
            Detail = exception.Message,
        };
        problem.Extensions["field"] = exception.Field;
        AddOpenAiError(context, problem, exception.StatusCode == StatusCodes.Status404NotFound ? "model_not_found" : "invalid_request_error", exception.Field);
        return TypedResults.Problem(problem);
    }

    public static IResult Unavailable(HttpContext context, string reason, string message)
    {
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = reason == "overloaded" ? "The server is at capacity." : "The model is not ready.",
            Detail = message,
        };
        problem.Extensions["reason"] = reason;
        AddOpenAiError(context, problem, reason, field: null);
        return TypedResults.Problem(problem);
    }

    private static void AddOpenAiError(HttpContext context, ProblemDetails problem, string type, string? field)
    {
        if (context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            problem.Extensions["error"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["message"] = problem.Detail,
                ["type"] = type,
                ["param"] = field,
                ["code"] = null,
            };
        }
    }
}
