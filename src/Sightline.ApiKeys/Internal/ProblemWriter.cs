using System.Diagnostics;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Sightline.ApiKeys.Internal;

/// <summary>Writes refusals as RFC 9457 problem details with a stable <c>reason</c> member.</summary>
internal static class ProblemWriter
{
    /// <summary>
    /// Answers an authentication refusal: 403 for <c>ip_not_allowed</c> (the key is genuine, the network is wrong, so a
    /// challenge would not help), else 401 with <c>WWW-Authenticate: ApiKey realm=…, header=…, error=…</c>.
    /// </summary>
    public static Task ChallengeAsync(HttpContext context, ApiKeyAuthenticationOptions options, string reason)
    {
        if (reason == ApiKeyFailureReasons.IpNotAllowed) return WriteAsync(context, StatusCodes.Status403Forbidden, reason);
        context.Response.Headers.Append(HeaderNames.WWWAuthenticate,
            $"ApiKey realm=\"{options.Realm}\", header=\"{options.HeaderName}\", error=\"{reason}\"");
        return WriteAsync(context, StatusCodes.Status401Unauthorized, reason);
    }

    /// <summary>Answers 429 <c>rate_limited</c> with <c>Retry-After</c> (whole seconds, at least 1) from the refused lease.</summary>
    public static Task RateLimitedAsync(HttpContext context, ApiKeyRateLimit limit, RateLimitLease lease)
    {
        using (lease)
        {
            var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return WriteAsync(context, StatusCodes.Status429TooManyRequests, ApiKeyFailureReasons.RateLimited);
    }

    public static async Task WriteAsync(HttpContext context, int status, string reason, IReadOnlyList<string>? requiredScopes = null)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        response.StatusCode = status;
        response.ContentType = "application/problem+json";
        response.Headers.CacheControl = "no-store";
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", TypeOf(status));
            json.WriteString("title", TitleOf(status));
            json.WriteNumber("status", status);
            json.WriteString("detail", DetailOf(reason));
            json.WriteString("reason", reason);
            if (requiredScopes is { Count: > 0 })
            {
                json.WriteStartArray("requiredScopes");
                foreach (var scope in requiredScopes) json.WriteStringValue(scope);
                json.WriteEndArray();
            }
            json.WriteString("traceId", Activity.Current?.Id ?? context.TraceIdentifier);
            json.WriteEndObject();
        }
        response.ContentLength = buffer.Length;
        await response.Body.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), context.RequestAborted).ConfigureAwait(false);
    }

    private static string TypeOf(int status) => status switch
    {
        401 => "https://www.rfc-editor.org/rfc/rfc9110#name-401-unauthorized",
        403 => "https://www.rfc-editor.org/rfc/rfc9110#name-403-forbidden",
        429 => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        _ => "about:blank",
    };

    private static string TitleOf(int status) => status switch
    {
        401 => "Unauthorized",
        403 => "Forbidden",
        429 => "Too Many Requests",
        _ => "Error",
    };

    private static string DetailOf(string reason) => reason switch
    {
        ApiKeyFailureReasons.Missing => "An API key is required.",
        ApiKeyFailureReasons.Malformed => "The API key is malformed (wrong length, prefix or checksum).",
        ApiKeyFailureReasons.Invalid => "The API key is not valid.",
        ApiKeyFailureReasons.Revoked => "The API key has been revoked.",
        ApiKeyFailureReasons.Expired => "The API key has expired.",
        ApiKeyFailureReasons.IpNotAllowed => "The API key may not be used from this IP address.",
        ApiKeyFailureReasons.ScopeMissing => "The API key lacks a scope this endpoint requires.",
        ApiKeyFailureReasons.Forbidden => "The API key is not allowed to do this.",
        ApiKeyFailureReasons.RateLimited => "The API key's rate limit is exhausted; retry after the number of seconds in Retry-After.",
        _ => "The request was refused.",
    };
}
