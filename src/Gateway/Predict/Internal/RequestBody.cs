using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Gateway.Predict.Internal;

/// <summary>
/// Reads a JSON body up to a byte limit and hands the buffered bytes to a parser without copying.
/// A body over the limit is refused as soon as it is seen (from Content-Length, or while reading).
/// </summary>
internal static class RequestBody
{
    public static async Task<(ProblemHttpResult? Problem, T? Value)> ReadJsonAsync<TState, T>(
        HttpRequest request, int limit, TState state, Func<ReadOnlySequence<byte>, TState, T> parse, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (PredictProblems.UnsupportedMediaType(request.ContentType), default);
        }

        if (request.ContentLength > limit)
        {
            return (PredictProblems.TooLarge(limit), default);
        }

        var reader = request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return (PredictProblems.TooLarge(limit), default);
            }

            if (!read.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            try
            {
                return (null, parse(buffer, state));
            }
            catch (JsonException e)
            {
                return (PredictProblems.Malformed(e.Message), default);
            }
            finally
            {
                reader.AdvanceTo(buffer.End);
            }
        }
    }
}
