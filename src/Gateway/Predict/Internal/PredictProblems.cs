using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Gateway.Predict.Internal;

/// <summary>RFC 9457 problem+json answers of the predict API.</summary>
internal static class PredictProblems
{
    public static ProblemHttpResult Invalid(PredictInputError error) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [error.Field] = [error.Message] })
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The prediction input is invalid.",
            Detail = $"{error.Field}: {error.Message}",
        });

    public static ProblemHttpResult Malformed(string message) =>
        Problem(StatusCodes.Status400BadRequest, "The body is not valid JSON.", message);

    public static ProblemHttpResult TooLarge(int limit) =>
        Problem(StatusCodes.Status413PayloadTooLarge, "The body is too large.", $"Predict bodies are limited to {limit} bytes.");

    public static ProblemHttpResult UnsupportedMediaType(string? contentType) =>
        Problem(StatusCodes.Status415UnsupportedMediaType, "The body must be JSON.", $"Content-Type '{contentType}' is not application/json.");

    public static ProblemHttpResult NotFound(string detail) =>
        Problem(StatusCodes.Status404NotFound, "Model not found.", detail);

    public static ProblemHttpResult Unavailable(HttpResponse response, string detail)
    {
        response.Headers.RetryAfter = "1";
        return Problem(StatusCodes.Status503ServiceUnavailable, "Predictions are unavailable.", detail);
    }

    public static ProblemHttpResult Failed() =>
        Problem(StatusCodes.Status500InternalServerError, "The prediction failed.", "The model could not compute this prediction; the error is logged.");

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);
}
