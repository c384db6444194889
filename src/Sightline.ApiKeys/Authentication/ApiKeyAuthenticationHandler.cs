using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Sightline.ApiKeys.Internal;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys;

/// <summary>
/// Authenticates requests by API key (see <see cref="ApiKeyAuthenticationOptions"/>). Refusals are answered as RFC 9457
/// problem details with a stable <c>reason</c>: 401 with <c>WWW-Authenticate</c> for missing, malformed, invalid,
/// revoked and expired keys; 403 when the client IP is not in the key's allowlist.
/// </summary>
/// <remarks>
/// The framework creates a handler per request, so the hot path (a cached valid key) is kept lean: one singleton
/// dependency (<see cref="ApiKeyHandlerServices"/>, which also spares the per-request logger-factory lock), no
/// <c>RequestAborted</c> token unless the store must be asked, one clock read.
/// </remarks>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ApiKeyHandlerServices services,
    UrlEncoder encoder)
    : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, services.LoggerFactory, encoder)
{
    private string _failure = ApiKeyFailureReasons.Missing;
    private string? _failedKeyId;

    // The scheme has no events type; the base class would allocate a placeholder object and a task on every request.
    private static readonly Task<object> s_noEvents = Task.FromResult(new object());

    protected override Task<object> CreateEventsAsync() => s_noEvents;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ReadKey();
        if (key is null) return Task.FromResult(AuthenticateResult.NoResult());
        var options = Options;
        // Cached (or malformed) keys are decided synchronously; only a store lookup needs the request's abort token.
        return services.Validator.TryValidateCached(key, options.Format, Context.Connection.RemoteIpAddress, out var check, out var now)
            ? Task.FromResult(Complete(check, now))
            : LoadAsync(key, options);
    }

    private async Task<AuthenticateResult> LoadAsync(string key, ApiKeyAuthenticationOptions options)
    {
        var check = await services.Validator.ValidateAsync(key, options.Format, Context.Connection.RemoteIpAddress, options.CacheDuration, Context.RequestAborted).ConfigureAwait(false);
        return Complete(check, services.TimeProvider.GetUtcNow().UtcTicks);
    }

    private AuthenticateResult Complete(ApiKeyCheck check, long nowTicks)
    {
        if (!check.Succeeded)
        {
            _failure = check.Reason!;
            _failedKeyId = check.KeyId;
            return AuthenticateResult.Fail(check.Reason!);
        }
        var validated = check.Key!;
        services.LastUsed.Touch(validated.Record.Id, nowTicks);
        services.Metrics.Authenticated();
        Context.Features.Set(validated);
        Context.Features.Set<ISightlineRequestHints>(validated.Hints);
        return AuthenticateResult.Success(new AuthenticationTicket(CreatePrincipal(validated, Scheme.Name), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var reason = _failure;
        services.Refusals.Report(Context, reason, _failedKeyId, Options.KeyPrefix);
        if (reason == ApiKeyFailureReasons.IpNotAllowed)
        {
            // The key is genuine; the network is wrong. Authenticating again would not help: 403, no challenge.
            await ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, reason).ConfigureAwait(false);
            return;
        }
        Response.Headers.Append(HeaderNames.WWWAuthenticate,
            $"ApiKey realm=\"{Options.Realm}\", header=\"{Options.HeaderName}\", error=\"{reason}\"");
        await ProblemWriter.WriteAsync(Context, StatusCodes.Status401Unauthorized, reason).ConfigureAwait(false);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // A policy other than RequireScope denied an authenticated key.
        services.Refusals.Report(Context, ApiKeyFailureReasons.Forbidden, Context.Features.Get<ValidatedKey>()?.Record.Id, Options.KeyPrefix);
        return ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.Forbidden);
    }

    private string? ReadKey()
    {
        var options = Options;
        var headers = Request.Headers;
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
        if (options.AllowQueryString && Request.Query.TryGetValue(options.QueryParameterName, out var query) && query.Count == 1 && !string.IsNullOrWhiteSpace(query[0]))
            return query[0]!.Trim();
        return null;
    }

    private static ClaimsPrincipal CreatePrincipal(ValidatedKey key, string scheme)
    {
        // Claims are created with the identity as their subject so ClaimsIdentity does not clone each one.
        var record = key.Record;
        var identity = new ClaimsIdentity(scheme, ApiKeyClaimTypes.ConsumerName, ClaimTypes.Role);
        Add(identity, ApiKeyClaimTypes.KeyId, record.Id);
        Add(identity, ApiKeyClaimTypes.KeyName, record.Name);
        Add(identity, ApiKeyClaimTypes.ConsumerId, key.Consumer.Identifier);
        if (key.Consumer.Name is { } name) Add(identity, ApiKeyClaimTypes.ConsumerName, name);
        if (key.Consumer.Group is { } group) Add(identity, ApiKeyClaimTypes.ConsumerGroup, group);
        foreach (var scope in record.Scopes) Add(identity, ApiKeyClaimTypes.Scope, scope);
        return new ClaimsPrincipal(identity);
    }

    private static void Add(ClaimsIdentity identity, string type, string value) =>
        identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
}
