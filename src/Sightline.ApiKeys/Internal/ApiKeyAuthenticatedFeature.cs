using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// Set by <c>UseApiKeys</c> on a request it authenticated: the key, the principal it built and the scheme whose options
/// it used. The <c>AddApiKey</c> handler of that scheme reuses it instead of validating again, and the authorization
/// result handler knows whether the key's rate limit was already consulted (so a request never spends two permits).
/// </summary>
internal sealed class ApiKeyAuthenticatedFeature(ValidatedKey key, ClaimsPrincipal principal, string scheme)
{
    public ValidatedKey Key { get; } = key;
    public ClaimsPrincipal Principal { get; } = principal;
    public string Scheme { get; } = scheme;

    /// <summary>True once a permit was taken from the key's rate limiter for this request (or none was needed).</summary>
    public bool RateLimitApplied { get; set; }

    /// <summary>True when the light path checked all the endpoint's authorization (scope-only endpoint): the authorization middleware is skipped.</summary>
    public bool AuthorizationDone { get; set; }

    /// <summary>The handler's result, created on first use.</summary>
    public AuthenticateResult? Result { get; set; }
}
