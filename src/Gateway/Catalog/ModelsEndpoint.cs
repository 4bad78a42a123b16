using System.Security.Cryptography;
using System.Text.Json;
using Chat.Gateway.Predict.Contracts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Chat.Gateway.Catalog;

/// <summary>
/// <c>GET /models</c>: every contributor's entries, with a content ETag. The list changes when a
/// version is added, so clients revalidate (<c>no-cache</c>) and get 304 while it is unchanged.
/// </summary>
internal static class ModelsEndpoint
{
    public static Results<FileContentHttpResult, StatusCodeHttpResult> Get(HttpContext http, IEnumerable<IModelCatalogContributor> contributors)
    {
        var entries = contributors.SelectMany(c => c.GetEntries()).OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Id, StringComparer.Ordinal).ToArray();
        var body = JsonSerializer.SerializeToUtf8Bytes(new ModelsResponse(entries), PredictJsonContext.Default.ModelsResponse);
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "no-cache";
        return Matches(http.Request.Headers.IfNoneMatch, etag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified)
            : TypedResults.Bytes(body, "application/json");
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            foreach (var candidate in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var tag = candidate.StartsWith("W/", StringComparison.Ordinal) ? candidate[2..] : candidate;
                if (tag == "*" || string.Equals(tag, etag, StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
