using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Sightline.ApiKeys.Internal;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys;

/// <summary>
/// The light API-key path (<c>app.UseApiKeys()</c>): on endpoints that require a key, validates it with the same
/// validator, cache, store and options as the <c>AddApiKey</c> handler, checks <c>RequireScope</c> metadata and the
/// key's rate limit, and sets <see cref="HttpContext.User"/> to the principal the handler would build — without the
/// framework's authentication handler and policy machinery (a handler instance, ticket, result, policy combination and
/// evaluation per request). Refusals are the handler's: the same problem details, reason codes, <c>WWW-Authenticate</c>,
/// log entries, counters and security events.
/// </summary>
/// <remarks>
/// The rate limiter is consulted here only when no authorization policy will run for the endpoint afterwards;
/// otherwise <see cref="ApiKeyAuthorizationResultHandler"/> consults it once the policy has succeeded, so a request
/// refused by any policy still never spends the key's quota.
/// </remarks>
internal sealed class ApiKeyMiddleware
{
    private const int MaxCachedEndpoints = 10_000;

    // What the authorization middleware leaves in HttpContext.Items for EndpointMiddleware's check that endpoints with
    // authorization metadata went through authorization (the check RouteOptions.SuppressCheckForUnhandledSecurityMetadata turns off).
    private const string AuthorizationInvokedKey = "__AuthorizationMiddlewareWithEndpointInvoked";
    private static readonly object s_authorizationInvoked = true;

    private readonly RequestDelegate _next;
    private readonly ApiKeyHandlerServices _services;
    private readonly ApiKeyRateLimiters _limiters;
    private readonly string _scheme;
    private readonly bool _requireByDefault;
    private readonly bool _authorizationFollows;
    private readonly bool _hasFallbackPolicy;
    private readonly bool _frameworkAuthorization;
    private readonly ConcurrentDictionary<Endpoint, EndpointPlan> _plans = new();
    private readonly EndpointPlan _unmatched;
    private readonly IDisposable? _optionsSubscription;
    private volatile ApiKeyAuthenticationOptions _options;
    private int _transformation; // 0: not looked at yet; 1: the framework's no-op; 2: the app registered one

    public ApiKeyMiddleware(RequestDelegate next, IServiceProvider services, ApiKeyMiddlewareOptions options, bool authorizationFollows)
    {
        _next = next;
        _services = services.GetRequiredService<ApiKeyHandlerServices>();
        _limiters = services.GetRequiredService<ApiKeyRateLimiters>();
        _scheme = options.Scheme;
        _requireByDefault = options.RequireByDefault;
        _authorizationFollows = authorizationFollows;
        _hasFallbackPolicy = authorizationFollows && services.GetService<IOptions<AuthorizationOptions>>()?.Value.FallbackPolicy is not null;
        _frameworkAuthorization = authorizationFollows && IsFrameworkAuthorization(services);
        var monitor = services.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>();
        _options = monitor.Get(_scheme);
        _optionsSubscription = monitor.OnChange((changed, name) =>
        {
            if (string.Equals(name ?? Options.DefaultName, _scheme, StringComparison.Ordinal)) _options = changed;
        });
        _unmatched = CreatePlan(null);
    }

    public Task InvokeAsync(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        var plan = endpoint is null ? _unmatched : PlanOf(endpoint);
        if (!plan.Protected) return _next(context);

        // Already authenticated: by this path (a re-executed pipeline) or by the handler earlier in the pipeline.
        var features = context.Features;
        if (features.Get<ApiKeyAuthenticatedFeature>() is { } done) return AuthorizeAsync(context, plan, done);
        var options = _options;
        if (features.Get<ValidatedKey>() is { } handled && context.User.Identity?.IsAuthenticated == true
            && string.Equals(handled.Record.Prefix, options.KeyPrefix, StringComparison.Ordinal))
        {
            var reused = new ApiKeyAuthenticatedFeature(handled, context.User, _scheme);
            features.Set(reused);
            return AuthorizeAsync(context, plan, reused);
        }

        var key = ApiKeyReader.Read(context.Request, options);
        if (key is null) return RefuseAsync(context, options, ApiKeyFailureReasons.Missing, null);
        // Cached (or malformed) keys are decided synchronously; only a store lookup needs the request's abort token.
        return _services.Validator.TryValidateCached(key, options.Format, context.Connection.RemoteIpAddress, out var check, out var now)
            ? AuthenticatedAsync(context, plan, options, check, now)
            : LoadAsync(context, plan, options, key);
    }

    private async Task LoadAsync(HttpContext context, EndpointPlan plan, ApiKeyAuthenticationOptions options, string key)
    {
        var check = await _services.Validator.ValidateAsync(key, options.Format, context.Connection.RemoteIpAddress, options.CacheDuration, context.RequestAborted).ConfigureAwait(false);
        await AuthenticatedAsync(context, plan, options, check, _services.TimeProvider.GetUtcNow().UtcTicks).ConfigureAwait(false);
    }

    private Task AuthenticatedAsync(HttpContext context, EndpointPlan plan, ApiKeyAuthenticationOptions options, ApiKeyCheck check, long nowTicks)
    {
        if (!check.Succeeded) return RefuseAsync(context, options, check.Reason!, check.KeyId);
        var key = check.Key!;
        _services.LastUsed.Touch(key.Record.Id, nowTicks);
        _services.Metrics.Authenticated();
        var principal = ApiKeyPrincipal.Create(key, _scheme);
        var feature = new ApiKeyAuthenticatedFeature(key, principal, _scheme);
        var features = context.Features;
        features.Set(feature);
        features.Set(key);
        features.Set<ISightlineRequestHints>(key.Hints);
        context.User = principal;
        return _transformation == 1 ? AuthorizeAsync(context, plan, feature) : TransformAsync(context, plan, feature);
    }

    /// <summary>Runs the app's <see cref="IClaimsTransformation"/>, as <c>AuthenticationService</c> does for a handler's result.</summary>
    private async Task TransformAsync(HttpContext context, EndpointPlan plan, ApiKeyAuthenticatedFeature feature)
    {
        var transformation = context.RequestServices.GetService<IClaimsTransformation>();
        if (transformation is null or NoopClaimsTransformation)
        {
            _transformation = 1;
        }
        else
        {
            _transformation = 2;
            context.User = await transformation.TransformAsync(feature.Principal).ConfigureAwait(false);
        }
        await AuthorizeAsync(context, plan, feature).ConfigureAwait(false);
    }

    private Task AuthorizeAsync(HttpContext context, EndpointPlan plan, ApiKeyAuthenticatedFeature feature)
    {
        var key = feature.Key;
        if (plan.Scopes.Length > 0)
        {
            // As ScopeRequirement does: the principal's scope claims (so a claims transformation is honoured).
            List<string>? missing = null;
            foreach (var scope in plan.Scopes)
            {
                if (!context.User.HasClaim(ApiKeyClaimTypes.Scope, scope)) (missing ??= []).Add(scope);
            }
            if (missing is not null)
            {
                _services.Refusals.Report(context, ApiKeyFailureReasons.ScopeMissing, key.Record.Id, key.Record.Prefix);
                return ProblemWriter.WriteAsync(context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.ScopeMissing, missing);
            }
        }
        if (!plan.DeferRateLimit && !feature.RateLimitApplied)
        {
            if (key.Record.RateLimit is { } limit)
            {
                var lease = _limiters.Acquire(key, limit);
                if (!lease.IsAcquired)
                {
                    _services.Refusals.Report(context, ApiKeyFailureReasons.RateLimited, key.Record.Id, key.Record.Prefix);
                    return ProblemWriter.RateLimitedAsync(context, limit, lease);
                }
                lease.Dispose();
            }
            feature.RateLimitApplied = true;
        }
        if (plan.AuthorizationDone)
        {
            // The policy the authorization middleware would evaluate (default policy + these scopes) is what was just
            // checked; UseApiKeys runs that middleware only for requests without this flag.
            feature.AuthorizationDone = true;
            context.Items[AuthorizationInvokedKey] = s_authorizationInvoked;
        }
        return _next(context);
    }

    private Task RefuseAsync(HttpContext context, ApiKeyAuthenticationOptions options, string reason, string? keyId)
    {
        _services.Refusals.Report(context, reason, keyId, options.KeyPrefix);
        return ProblemWriter.ChallengeAsync(context, options, reason);
    }

    private EndpointPlan PlanOf(Endpoint endpoint)
    {
        if (_plans.TryGetValue(endpoint, out var plan)) return plan;
        plan = CreatePlan(endpoint);
        // Endpoints are few and long-lived; a data source that keeps creating new ones must not grow this without bound.
        if (_plans.Count < MaxCachedEndpoints) _plans.TryAdd(endpoint, plan);
        return plan;
    }

    private EndpointPlan CreatePlan(Endpoint? endpoint)
    {
        var metadata = endpoint?.Metadata ?? EndpointMetadataCollection.Empty;
        // As the authorization middleware: any IAllowAnonymous wins, wherever it sits.
        if (metadata.GetMetadata<IAllowAnonymous>() is not null) return EndpointPlan.Open;
        var scopeAttributes = metadata.GetOrderedMetadata<RequireScopeAttribute>();
        if (!_requireByDefault && scopeAttributes.Count == 0 && metadata.GetMetadata<RequireApiKeyAttribute>() is null) return EndpointPlan.Open;

        var scopes = new List<string>();
        foreach (var attribute in scopeAttributes)
        {
            foreach (var scope in attribute.Scopes)
            {
                if (!scopes.Contains(scope)) scopes.Add(scope);
            }
        }
        // Authorization metadata other than our scopes: a policy the light path cannot decide.
        var otherAuthorization = metadata.GetMetadata<AuthorizationPolicy>() is not null;
        var anyAuthorization = otherAuthorization;
        foreach (var data in metadata.GetOrderedMetadata<IAuthorizeData>())
        {
            anyAuthorization = true;
            if (data is not RequireScopeAttribute) otherAuthorization = true;
        }
        foreach (var data in metadata.GetOrderedMetadata<IAuthorizationRequirementData>())
        {
            anyAuthorization = true;
            if (data is not RequireScopeAttribute) otherAuthorization = true;
        }
        // Scope-only endpoints: the framework's policy would be its plain default policy (an authenticated user) plus
        // the scopes, both already checked here. Skip evaluating it again when nothing of the app's could change the
        // outcome (no custom default policy, policy provider, authorization service or handler; no scheme named).
        var done = !otherAuthorization && anyAuthorization && _frameworkAuthorization;
        foreach (var attribute in scopeAttributes)
        {
            if (!string.IsNullOrEmpty(attribute.AuthenticationSchemes)) done = false;
        }
        // Whenever the authorization middleware will still evaluate a policy (the endpoint's, or the fallback policy for
        // an endpoint without authorization metadata), the rate limit waits for it: a request it denies spends nothing.
        var defer = _authorizationFollows && (anyAuthorization ? !done : _hasFallbackPolicy);
        return new EndpointPlan(true, [.. scopes], defer, done);
    }

    private static bool IsFrameworkAuthorization(IServiceProvider services)
    {
        var options = services.GetService<IOptions<AuthorizationOptions>>()?.Value;
        if (options is null || options.DefaultPolicy.AuthenticationSchemes.Count != 0 || options.DefaultPolicy.Requirements.Count != 1
            || options.DefaultPolicy.Requirements[0] is not DenyAnonymousAuthorizationRequirement)
        {
            return false;
        }
        using var scope = services.CreateScope();
        var provider = scope.ServiceProvider;
        if (provider.GetService<IAuthorizationPolicyProvider>()?.GetType() != typeof(DefaultAuthorizationPolicyProvider)
            || provider.GetService<IAuthorizationService>() is not DefaultAuthorizationService service
            || service.GetType().Assembly != typeof(DefaultAuthorizationService).Assembly   // the framework's (it registers an internal subclass)
            || provider.GetService<IPolicyEvaluator>()?.GetType() != typeof(PolicyEvaluator))
        {
            return false;
        }
        foreach (var handler in provider.GetServices<IAuthorizationHandler>())
        {
            if (handler is not PassThroughAuthorizationHandler) return false;
        }
        return true;
    }

    /// <param name="Protected">A key is required.</param>
    /// <param name="Scopes">Scopes the key must have (from <see cref="RequireScopeAttribute"/>).</param>
    /// <param name="DeferRateLimit">Another policy runs after this middleware: the rate limit waits for it.</param>
    /// <param name="AuthorizationDone">This middleware checks everything the framework's policy for the endpoint would.</param>
    private sealed record EndpointPlan(bool Protected, string[] Scopes, bool DeferRateLimit, bool AuthorizationDone)
    {
        public static EndpointPlan Open { get; } = new(false, [], false, false);
    }
}
