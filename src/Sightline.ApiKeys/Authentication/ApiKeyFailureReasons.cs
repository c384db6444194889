namespace Sightline.ApiKeys;

/// <summary>
/// Stable reason codes of refused requests: the <c>reason</c> member of the ProblemDetails response, the
/// <c>reason</c> tag of the <c>sightline.apikeys.refused</c> counter, the log entry and the security event.
/// </summary>
public static class ApiKeyFailureReasons
{
    /// <summary>No key was sent (401).</summary>
    public const string Missing = "missing";

    /// <summary>The key has the wrong shape, prefix or checksum; rejected without any lookup (401).</summary>
    public const string Malformed = "malformed";

    /// <summary>Well-formed, but no such key or wrong secret; the two are not told apart (401).</summary>
    public const string Invalid = "invalid";

    /// <summary>The key was revoked (401).</summary>
    public const string Revoked = "revoked";

    /// <summary>The key has expired, e.g. at the end of a rotation grace period (401).</summary>
    public const string Expired = "expired";

    /// <summary>The client IP is not in the key's allowlist (403).</summary>
    public const string IpNotAllowed = "ip_not_allowed";

    /// <summary>The key lacks a scope the endpoint requires (403).</summary>
    public const string ScopeMissing = "scope_missing";

    /// <summary>The key's rate limit is exhausted (429 with <c>Retry-After</c>).</summary>
    public const string RateLimited = "rate_limited";

    /// <summary>An authorization policy other than a scope requirement denied an authenticated key (403).</summary>
    public const string Forbidden = "forbidden";
}
