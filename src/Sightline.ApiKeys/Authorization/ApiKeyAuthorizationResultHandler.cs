using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys;

/// <summary>
/// Runs after authorization. For a request authenticated by an API key: a missing scope is answered 403
/// <c>scope_missing</c>; an authorized request then takes a permit from the key's rate limiter, and is answered
/// 429 with <c>Retry-After</c> when none is left. Because the limiter is consulted only here, requests refused for
/// any other reason never spend the key's quota. Everything else goes to the framework's default handling.
/// </summary>
internal sealed class ApiKeyAuthorizationResultHandler(ApiKeyRateLimiters limiters, ApiKeyRefusals refusals) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        // Not async: the common case (authorized, permit granted) hands over to the endpoint without a state machine.
        var key = context.Features.Get<ValidatedKey>();
        if (key is not null)
        {
            if (authorizeResult.Succeeded)
            {
                if (key.Record.RateLimit is { } limit)
                {
                    var lease = limiters.Acquire(key, limit);
                    if (!lease.IsAcquired) return RateLimitedAsync(context, key, limit, lease);
                    lease.Dispose();
                }
            }
            else if (authorizeResult.Forbidden && authorizeResult.AuthorizationFailure is { } failure && MissingScopes(failure) is { } missing)
            {
                refusals.Report(context, ApiKeyFailureReasons.ScopeMissing, key.Record.Id, key.Record.Prefix);
                return ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.ScopeMissing, missing);
            }
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private Task RateLimitedAsync(HttpContext context, ValidatedKey key, ApiKeyRateLimit limit, System.Threading.RateLimiting.RateLimitLease lease)
    {
        using (lease)
        {
            refusals.Report(context, ApiKeyFailureReasons.RateLimited, key.Record.Id, key.Record.Prefix);
            var retryAfter = lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
            context.Response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(1, retryAfter.TotalSeconds))).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        return ProblemWriter.WriteAsync(context, StatusCodes.Status429TooManyRequests, ApiKeyFailureReasons.RateLimited);
    }

    private static List<string>? MissingScopes(AuthorizationFailure failure)
    {
        List<string>? missing = null;
        foreach (var requirement in failure.FailedRequirements)
        {
            if (requirement is ScopeRequirement scope) (missing ??= []).Add(scope.Scope);
        }
        return missing;
    }
}
