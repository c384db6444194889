using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
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
        // UseApiKeys already authenticated this request with this scheme's options: reuse its principal, validate nothing twice.
        if (Context.Features.Get<ApiKeyAuthenticatedFeature>() is { } light && string.Equals(light.Scheme, Scheme.Name, StringComparison.Ordinal))
            return Task.FromResult(light.Result ??= AuthenticateResult.Success(new AuthenticationTicket(light.Principal, Scheme.Name)));
        var key = ApiKeyReader.Read(Request, Options);
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
        return AuthenticateResult.Success(new AuthenticationTicket(ApiKeyPrincipal.Create(validated, Scheme.Name), Scheme.Name));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        services.Refusals.Report(Context, _failure, _failedKeyId, Options.KeyPrefix);
        return ProblemWriter.ChallengeAsync(Context, Options, _failure);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // A policy other than RequireScope denied an authenticated key.
        services.Refusals.Report(Context, ApiKeyFailureReasons.Forbidden, Context.Features.Get<ValidatedKey>()?.Record.Id, Options.KeyPrefix);
        return ProblemWriter.WriteAsync(Context, StatusCodes.Status403Forbidden, ApiKeyFailureReasons.Forbidden);
    }
}
