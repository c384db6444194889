using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Sightline.ApiKeys.Tests.Middleware;

/// <summary>
/// The light path (<c>app.UseApiKeys()</c>) over real Kestrel: every refusal the handler path gives, the same problem
/// details and principal, and no default authentication scheme for the framework to call.
/// </summary>
public sealed class ApiKeyMiddlewareTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private CountingStore _store = null!;
    private ApiKeyApp _app = null!;

    public async Task InitializeAsync()
    {
        _store = new CountingStore(new InMemoryApiKeyStore());
        _app = await ApiKeyApp.StartAsync(store: _store, timeProvider: _time, light: _ => { }, defaultScheme: false);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task ValidKey_PrincipalHasTheHandlersShape()
    {
        var created = await _app.CreateKeyAsync("billing", r => r.Scopes = ["orders:read", "orders:write"]);

        var response = await _app.GetAsync("/whoami", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caller = (await response.Content.ReadFromJsonAsync<Caller>())!;
        Assert.Equal(new Caller(created.Record.Id, "billing", "customer-42", "Acme", "Enterprise", caller.Scopes, "127.0.0.1", ApiKeyDefaults.AuthenticationScheme), caller);
        Assert.Equal(["orders:read", "orders:write"], caller.Scopes);

        // The handler path on a second app builds the same principal.
        await using var handlerApp = await ApiKeyApp.StartAsync(store: _store, timeProvider: _time);
        var viaHandler = (await (await handlerApp.GetAsync("/hello", created.Key)).Content.ReadFromJsonAsync<Caller>())!;
        Assert.Equal(viaHandler with { Scopes = [] }, caller with { Scopes = [] });
        Assert.Equal(viaHandler.Scopes, caller.Scopes);
    }

    [Fact]
    public async Task NoKey_401Missing()
    {
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task BadChecksum_401MalformedWithoutStoreLookup()
    {
        var created = await _app.CreateKeyAsync();
        var finds = _store.Finds;
        var typo = created.Key[..^1] + (created.Key[^1] == 'x' ? 'y' : 'x');

        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", typo), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Malformed);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", "secret"), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Malformed);
        Assert.Equal(finds, _store.Finds);
    }

    [Fact]
    public async Task UnknownIdAndWrongSecret_IndistinguishableInvalid()
    {
        var created = await _app.CreateKeyAsync();

        var first = await _app.GetAsync("/whoami", ApiKeyFormat.Default.Generate());
        var second = await _app.GetAsync("/whoami", ApiKeyFormat.Default.Generate(created.Record.Id));

        var a = await ApiKeyApp.AssertRefusedAsync(first, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Invalid);
        var b = await ApiKeyApp.AssertRefusedAsync(second, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Invalid);
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
        Assert.Equal(first.Headers.WwwAuthenticate.ToString(), second.Headers.WwwAuthenticate.ToString());
        Assert.Equal("ApiKey realm=\"api\", header=\"X-Api-Key\", error=\"invalid\"", first.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task RevokedKey_401RevokedAtOnce()
    {
        var created = await _app.CreateKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);

        await _app.Manager.RevokeAsync(created.Record.Id);

        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", created.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Revoked);
    }

    [Fact]
    public async Task ExpiredKey_401Expired()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.ExpiresAt = _time.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);

        _time.Advance(TimeSpan.FromHours(1));

        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", created.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Expired);
    }

    [Fact]
    public async Task ClientIpOutsideAllowlist_403IpNotAllowed()
    {
        var outside = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8", "2001:db8::/32"]);
        var inside = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8", "127.0.0.1/32"]);

        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", outside.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", inside.Key)).StatusCode);
    }

    [Fact]
    public async Task XForwardedFor_SpoofedByUntrustedPeer_IgnoredButHonouredFromTrustedProxy()
    {
        static Action<WebApplication> Trusting(string proxy) => app =>
        {
            var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            options.KnownProxies.Add(IPAddress.Parse(proxy));
            app.UseForwardedHeaders(options);
        };
        await using var untrusted = await ApiKeyApp.StartAsync(first: Trusting("192.0.2.1"), light: _ => { }, defaultScheme: false);
        var key = await untrusted.CreateKeyAsync(configure: r => r.AllowedNetworks = ["203.0.113.0/24"]);
        await using var trusted = await ApiKeyApp.StartAsync(first: Trusting("127.0.0.1"), light: _ => { }, defaultScheme: false);
        var key2 = await trusted.CreateKeyAsync(configure: r => r.AllowedNetworks = ["203.0.113.0/24"]);

        var spoofed = await untrusted.GetAsync("/whoami", key.Key, r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"));
        var proxied = await trusted.GetAsync("/whoami", key2.Key, r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"));

        await ApiKeyApp.AssertRefusedAsync(spoofed, HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("203.0.113.9", (await proxied.Content.ReadFromJsonAsync<Caller>())!.ClientIp);
    }

    [Fact]
    public async Task RequireScope_MissingScope403WithRequiredScopes_GrantedPasses()
    {
        var reader = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);
        var writer = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:write"]);

        var refused = await _app.SendAsync(HttpMethod.Post, "/orders", reader.Key);

        var problem = await ApiKeyApp.AssertRefusedAsync(refused, HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        Assert.Equal("orders:write", Assert.Single(problem.GetProperty("requiredScopes").EnumerateArray()).GetString());
        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Post, "/orders", writer.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.SendAsync(HttpMethod.Post, "/orders", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task RequireScope_AppAuthorizationHandler_StillApplies()
    {
        // The light path skips the framework's evaluation of scope-only endpoints only when nothing of the app's could change it.
        await using var app = await ApiKeyApp.StartAsync(light: _ => { }, defaultScheme: false,
            services: s => s.AddSingleton<IAuthorizationHandler, BlockingHandler>());
        var created = await app.CreateKeyAsync(configure: r =>
        {
            r.Scopes = ["orders:read"];
            r.RateLimit = new ApiKeyRateLimit(1, TimeSpan.FromMinutes(1));
        });

        var blocked = await app.GetAsync("/orders", created.Key, r => r.Headers.Add("X-Block", "1"));

        await ApiKeyApp.AssertRefusedAsync(blocked, HttpStatusCode.Forbidden, ApiKeyFailureReasons.Forbidden);
        // The handler's denial came after the light path's checks, yet spent no quota: the one permit is still there.
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", created.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/orders", created.Key), HttpStatusCode.TooManyRequests, ApiKeyFailureReasons.RateLimited);
    }

    [Fact]
    public async Task RequireScope_AppDefaultPolicy_StillApplies()
    {
        await using var app = await ApiKeyApp.StartAsync(light: _ => { }, defaultScheme: false,
            services: s => s.AddAuthorization(o => o.DefaultPolicy = new AuthorizationPolicyBuilder()
                .RequireAuthenticatedUser().RequireClaim(ApiKeyClaimTypes.ConsumerGroup, "Enterprise").Build()));
        var enterprise = await app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);
        var selfServe = await app.CreateKeyAsync(configure: r => { r.Scopes = ["orders:read"]; r.ConsumerGroup = "Self-serve"; });

        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", enterprise.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/orders", selfServe.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.Forbidden);
    }

    /// <summary>An app's authorization handler: fails every requirement of requests carrying <c>X-Block</c>.</summary>
    private sealed class BlockingHandler : IAuthorizationHandler
    {
        public Task HandleAsync(AuthorizationHandlerContext context)
        {
            if (context.Resource is HttpContext http && http.Request.Headers.ContainsKey("X-Block")) context.Fail();
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task RequireScope_GroupAndAllowAnonymousInside()
    {
        var admin = await _app.CreateKeyAsync(configure: r => r.Scopes = ["admin"]);
        var user = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/admin/users", admin.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/admin/users", user.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/admin/status", null)).StatusCode);
    }

    [Fact]
    public async Task RequireScopeAttribute_Controller_ClassAndActionScopesCombine()
    {
        var reader = await _app.CreateKeyAsync(configure: r => r.Scopes = ["reports:read"]);
        var writer = await _app.CreateKeyAsync(configure: r => r.Scopes = ["reports:read", "reports:write"]);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/reports", reader.Key)).StatusCode);
        var refused = await _app.SendAsync(HttpMethod.Post, "/reports", reader.Key);
        var problem = await ApiKeyApp.AssertRefusedAsync(refused, HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        Assert.Equal("reports:write", Assert.Single(problem.GetProperty("requiredScopes").EnumerateArray()).GetString());
        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Post, "/reports", writer.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/reports", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task RequireApiKeyAttribute_Controller_KeyRequiredActionAllowAnonymousOpen()
    {
        var created = await _app.CreateKeyAsync();

        var response = await _app.GetAsync("/keyed-controller", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created.Record.Id, await response.Content.ReadAsStringAsync());
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/keyed-controller", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/keyed-controller/open", null)).StatusCode);
    }

    [Fact]
    public async Task AllowAnonymousAndUnmarkedEndpoints_Untouched()
    {
        using var refused = new RefusalCounter(_app);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/public", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/public", "garbage")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/keyed/health", "garbage")).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/keyed/items", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);

        Assert.Equal(0, refused.Count(ApiKeyFailureReasons.Malformed));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.Missing));
    }

    [Fact]
    public async Task RequireByDefault_ProtectsEverythingButAllowAnonymous()
    {
        await using var app = await ApiKeyApp.StartAsync(light: o => o.RequireByDefault = true, defaultScheme: false);
        var created = await app.CreateKeyAsync();

        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/public", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/no-such-endpoint", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/public", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await app.GetAsync("/no-such-endpoint", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/keyed/health", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/admin/status", null)).StatusCode);
    }

    [Fact]
    public async Task Policy_AfterLightPath_SeesTheKeysPrincipal()
    {
        var enterprise = await _app.CreateKeyAsync();
        var selfServe = await _app.CreateKeyAsync(configure: r => r.ConsumerGroup = "Self-serve");

        var allowed = await _app.GetAsync("/enterprise", enterprise.Key);
        var denied = await _app.GetAsync("/enterprise", selfServe.Key);
        var staff = await _app.GetAsync("/staff", enterprise.Key);

        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal("Acme", await allowed.Content.ReadAsStringAsync());
        await ApiKeyApp.AssertRefusedAsync(denied, HttpStatusCode.Forbidden, ApiKeyFailureReasons.Forbidden);
        await ApiKeyApp.AssertRefusedAsync(staff, HttpStatusCode.Forbidden, ApiKeyFailureReasons.Forbidden);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/enterprise", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task RateLimit_Exhausted_429WithRetryAfter()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(3, TimeSpan.FromMinutes(1)));

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);
        var response = await _app.GetAsync("/whoami", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.TooManyRequests, ApiKeyFailureReasons.RateLimited);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task RateLimit_DeniedRequests_NeverSpendQuota()
    {
        var created = await _app.CreateKeyAsync(configure: r =>
        {
            r.Scopes = ["orders:read"];
            r.RateLimit = new ApiKeyRateLimit(3, TimeSpan.FromMinutes(1));
        });
        var wrongSecret = ApiKeyFormat.Default.Generate(created.Record.Id);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _app.GetAsync("/whoami", wrongSecret)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/orders", created.Key)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _app.GetAsync("/staff", created.Key)).StatusCode);
        }

        // Three permits, one per request, whichever component takes it: the light path (/whoami), the light path after
        // its scope check (/orders), the authorization result handler after a policy (/enterprise).
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/orders", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/enterprise", created.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/whoami", created.Key), HttpStatusCode.TooManyRequests, ApiKeyFailureReasons.RateLimited);
    }

    [Fact]
    public async Task CachedKey_NoStoreLookupPerRequest_LastUsedBatched()
    {
        var created = await _app.CreateKeyAsync();
        await _app.GetAsync("/whoami", created.Key);
        var finds = _store.Finds;

        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);
        Assert.Equal(finds, _store.Finds);
        Assert.Equal(0, _store.LastUsedBatches);
        await _app.FlushLastUsedAsync();

        Assert.Equal(1, _store.LastUsedBatches);
        Assert.Equal(_time.GetUtcNow(), (await _store.FindAsync(created.Record.Id))!.LastUsedAt);
    }

    [Fact]
    public async Task Refusal_LoggedWithoutSecretAndCounted()
    {
        using var refused = new RefusalCounter(_app);
        var created = await _app.CreateKeyAsync();
        await _app.Manager.RevokeAsync(created.Record.Id);

        await _app.GetAsync("/whoami?x=1", created.Key);

        var entry = Assert.Single(_app.Logs.Entries, e => e.EventId.Id == 4001);
        var state = entry.State.ToDictionary(p => p.Key, p => p.Value?.ToString());
        Assert.Equal("revoked", state["Reason"]);
        Assert.Equal("sl_live_" + created.Record.Id, state["KeyPrefix"]);
        Assert.Equal("/whoami", state["Path"]);
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains(created.Key, StringComparison.Ordinal));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.Revoked));
    }

    [Fact]
    public async Task HandlerCalledByPolicy_ReusesLightPathResult()
    {
        using var authenticated = new AuthenticatedCounter(_app);
        var created = await _app.CreateKeyAsync();

        // The policy names the ApiKey scheme, so the policy evaluator calls the handler after the light path.
        var response = await _app.GetAsync("/scheme", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(created.Record.Id, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, authenticated.Count);
    }

    [Fact]
    public async Task DefaultScheme_HandlerRunByAuthenticationMiddleware_ReusesLightPathResult()
    {
        // A second scheme makes UseApiKeys add UseAuthentication after itself; ApiKey is the default it authenticates.
        await using var app = await ApiKeyApp.StartAsync(light: _ => { }, defaultScheme: true, services: s => s.AddAuthentication().AddCookie());
        using var authenticated = new AuthenticatedCounter(app);
        var created = await app.CreateKeyAsync();

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/whoami", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/scheme", created.Key)).StatusCode);

        Assert.Equal(4, authenticated.Count);
    }

    [Fact]
    public async Task OnlyApiKeySchemes_HandlerNotCalledOnUnprotectedEndpoints()
    {
        using var authenticated = new AuthenticatedCounter(_app);
        var created = await _app.CreateKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/public", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami", created.Key)).StatusCode);

        Assert.Equal(1, authenticated.Count);
    }

    [Fact]
    public async Task UseApiKeys_AfterUseAuthorization_Throws()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddAuthentication().AddApiKey();
        builder.Services.AddAuthorization();
        await using var app = builder.Build();
        app.UseAuthorization();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseApiKeys());
        Assert.Contains("before app.UseAuthorization()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseApiKeys_UnknownScheme_ThrowsNamingIt()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Services.AddAuthentication().AddApiKey();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseApiKeys(o => o.Scheme = "Ingest"));
        Assert.Contains("'Ingest'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Counts <c>sightline.apikeys.authenticated</c> of one app: one per validation, so a second validation of a request shows.</summary>
    private sealed class AuthenticatedCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public AuthenticatedCounter(ApiKeyApp app)
        {
            var factory = app.App.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Name == "sightline.apikeys.authenticated" && ReferenceEquals(instrument.Meter.Scope, factory)) listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
