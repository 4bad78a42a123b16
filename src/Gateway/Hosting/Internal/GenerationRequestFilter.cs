using System.Diagnostics;
using System.Globalization;
using Chat.Gateway.Engine;
using Chat.Gateway.Observability;
using Chat.Gateway.Streams;
using Chat.Gateway.Validation;
using Chat.Inference.Engine;

namespace Chat.Gateway.Hosting.Internal;

/// <summary>
/// Wraps every generation route: turns the errors raised before a response began into RFC 9457
/// problems (400/404/413 naming the field, 503 + Retry-After when not ready or over capacity) and
/// records requests by route and outcome and the end-to-end latency.
/// </summary>
internal sealed partial class GenerationRequestFilter(GatewayMetrics metrics, ILogger<GenerationRequestFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "unknown";
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (RequestValidationException ex) when (!context.Response.HasStarted)
        {
            RequestOutcome.Set(context, RequestOutcome.ClientError);
            LogRejected(logger, route, ex.StatusCode, ex.Message);
            return GatewayProblems.Invalid(context, ex);
        }
        catch (StreamAccessException ex) when (!context.Response.HasStarted)
        {
            RequestOutcome.Set(context, RequestOutcome.ClientError);
            LogRejected(logger, route, ex.StatusCode, ex.Message);
            return StreamProblem(ex);
        }
        catch (ChatModelNotReadyException ex) when (!context.Response.HasStarted)
        {
            RequestOutcome.Set(context, RequestOutcome.NotReady);
            context.Response.Headers.RetryAfter = "1";
            return GatewayProblems.Unavailable(context, "not_ready", ex.Message);
        }
        catch (EngineOverloadedException ex) when (!context.Response.HasStarted)
        {
            RequestOutcome.Set(context, RequestOutcome.Overloaded);
            var seconds = Math.Max(1, (int)Math.Ceiling(ex.RetryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
            LogOverloaded(logger, route, ex.Reason);
            return GatewayProblems.Unavailable(context, "overloaded", ex.Message);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left before an answer existed; nobody reads a status now.
            RequestOutcome.Set(context, RequestOutcome.Cancelled);
            return Results.Empty;
        }
        finally
        {
            metrics.Requests.WithLabels(route, RequestOutcome.Get(context)).Inc();
            metrics.RequestDuration.WithLabels(route).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private static IResult StreamProblem(StreamAccessException exception)
    {
        var problem = new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = exception.StatusCode,
            Title = exception.Error switch
            {
                StreamAccessError.NotFound => "Unknown stream.",
                StreamAccessError.Forbidden => "The stream belongs to another client.",
                StreamAccessError.Gone => "Those events are no longer buffered.",
                _ => "The request is invalid.",
            },
            Detail = exception.Message,
        };
        problem.Extensions["field"] = exception.Field;
        return TypedResults.Problem(problem);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "Rejected {Route} with {StatusCode}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string route, int statusCode, string reason);

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Rejected {Route}: engine over capacity ({Reason})")]
    private static partial void LogOverloaded(ILogger logger, string route, string reason);
}
