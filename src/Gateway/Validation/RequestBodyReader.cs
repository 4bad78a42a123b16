using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Features;

namespace Chat.Gateway.Validation;

/// <summary>
/// Reads a JSON body with the source-generated contract, under the configured size limit.
/// Malformed JSON and wrong value types become 400 naming the JSON path; an oversized body 413.
/// </summary>
public static class RequestBodyReader
{
    public static async Task<T> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, long maxBytes)
        where T : class
    {
        if (context.Request.ContentLength > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        // Kestrel enforces the limit while streaming the body (also for chunked bodies without a length).
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = maxBytes;
        }

        T? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, typeInfo, context.RequestAborted).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            throw new RequestValidationException(field, $"Invalid JSON at {ex.Path ?? "$"}: {FirstSentence(ex.Message)}");
        }

        return body ?? throw new RequestValidationException("body", "The body must be a JSON object.");
    }

    /// <summary><c>$.messages[0].role</c> becomes <c>messages[0].role</c>; the root is <c>body</c>.</summary>
    public static string FieldOf(string? jsonPath) =>
        string.IsNullOrEmpty(jsonPath) || jsonPath == "$" ? "body" : jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath;

    // System.Text.Json appends "Path: ... | LineNumber: ..." which the problem already carries as the field.
    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        return cut < 0 ? message : message[..cut];
    }

    private static RequestValidationException TooLarge(long maxBytes) =>
        new("body", $"The request body is larger than {maxBytes} bytes (Chat:MaxRequestBodyBytes).", StatusCodes.Status413PayloadTooLarge);
}
