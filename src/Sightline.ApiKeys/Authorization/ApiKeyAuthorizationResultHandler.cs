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
            // Set when UseApiKeys authenticated the request: it may already have consulted the rate limiter.
            var light = context.Features.Get<ApiKeyAuthenticatedFeature>();
            if (authorizeResult.Succeeded)
            {
                if (light is not { RateLimitApplied: true } && key.Record.RateLimit is { } limit)
                {
                    var lease = limiters.Acquire(key, limit);
                    if (!lease.IsAcquired)
                    {
                        refusals.Report(context, ApiKeyFailureReasons.RateLimited, key.Record.Id, key.Record.Prefix);
                        return ProblemWriter.RateLimitedAsync(context, limit, lease);
                    }
                    lease.Dispose();
                }
                if (light is not null) light.RateLimitApplied = true;
            }
            else if (authorizeResult.Forbidden)
            {
                if (authorizeResult.AuthorizationFailure is { } failure && MissingScopes(failure) is { } missing)
                {
                    refusals.Report(context, ApiKeyFailureReasons.ScopeMissing, key.Record.Id, key.Record.Prefix);
                    return ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.ScopeMissing, missing);
                }
                if (light is not null)
                {
                    // Answered as the handler's HandleForbiddenAsync would, without needing a default forbid scheme.
                    refusals.Report(context, ApiKeyFailureReasons.Forbidden, key.Record.Id, key.Record.Prefix);
                    return ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.Forbidden);
                }
            }
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
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
