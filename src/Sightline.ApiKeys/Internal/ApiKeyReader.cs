using Microsoft.AspNetCore.Http;

namespace Sightline.ApiKeys.Internal;

/// <summary>Reads the presented key from a request as a scheme's options allow: header, then <c>Authorization</c>, then (opt-in) the query string.</summary>
internal static class ApiKeyReader
{
    /// <summary>The key; "" when the header is present but empty or repeated (answered <c>malformed</c>); null when none was sent.</summary>
    public static string? Read(HttpRequest request, ApiKeyAuthenticationOptions options)
    {
        var headers = request.Headers;
        if (headers.TryGetValue(options.HeaderName, out var values) && values.Count > 0)
            return values.Count == 1 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : "";
        if (options.AllowAuthorizationHeader && headers.Authorization is { Count: 1 } authorization)
        {
            var value = authorization[0].AsSpan().Trim();
            var space = value.IndexOf(' ');
            if (space > 0)
            {
                var scheme = value[..space];
                if (scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase) || scheme.Equals("ApiKey", StringComparison.OrdinalIgnoreCase))
                    return value[(space + 1)..].Trim().ToString();
            }
        }
        if (options.AllowQueryString && request.Query.TryGetValue(options.QueryParameterName, out var query) && query.Count == 1 && !string.IsNullOrWhiteSpace(query[0]))
            return query[0]!.Trim();
        return null;
    }
}
