using System.Net;

namespace Sightline.ApiKeys.Tests.Authorization;

public sealed class ScopeAndRateLimitTests : IAsyncLifetime
{
    private ApiKeyApp _app = null!;

    public async Task InitializeAsync() => _app = await ApiKeyApp.StartAsync();

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task RequireScope_Endpoint_GrantedScopePasses()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:write"]);

        var response = await _app.SendAsync(HttpMethod.Post, "/orders", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task RequireScope_Endpoint_MissingScope403WithRequiredScopes()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);

        var response = await _app.SendAsync(HttpMethod.Post, "/orders", created.Key);

        var problem = await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        Assert.Equal("orders:write", Assert.Single(problem.GetProperty("requiredScopes").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task RequireScope_ScopesAreCaseSensitive()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.Scopes = ["Orders:Write"]);

        var response = await _app.SendAsync(HttpMethod.Post, "/orders", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
    }

    [Fact]
    public async Task RequireScope_Group_AppliesToEveryEndpoint()
    {
        var admin = await _app.CreateKeyAsync(configure: r => r.Scopes = ["admin"]);
        var user = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/admin/users", admin.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/admin/users", user.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/admin/users", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task RequireScopeAttribute_Controller_ClassAndActionScopesCombine()
    {
        var reader = await _app.CreateKeyAsync(configure: r => r.Scopes = ["reports:read"]);
        var writer = await _app.CreateKeyAsync(configure: r => r.Scopes = ["reports:read", "reports:write"]);
        var none = await _app.CreateKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/reports", reader.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/reports", none.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        await ApiKeyApp.AssertRefusedAsync(await _app.SendAsync(HttpMethod.Post, "/reports", reader.Key), HttpStatusCode.Forbidden, ApiKeyFailureReasons.ScopeMissing);
        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Post, "/reports", writer.Key)).StatusCode);
        await ApiKeyApp.AssertRefusedAsync(await _app.GetAsync("/reports", null), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task RequireScope_UpdatedThroughManager_AppliesAtOnce()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.Scopes = ["orders:read"]);
        Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/orders", created.Key)).StatusCode);

        await _app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["orders:read", "orders:write"] });

        Assert.Equal(HttpStatusCode.OK, (await _app.SendAsync(HttpMethod.Post, "/orders", created.Key)).StatusCode);
    }

    [Fact]
    public async Task OtherPolicy_DeniesKey_403Forbidden()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.Scopes = ["staff"]);

        var response = await _app.GetAsync("/staff", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.Forbidden);
    }

    [Fact]
    public async Task RateLimit_Exhausted_429WithRetryAfter()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(3, TimeSpan.FromMinutes(1)));

        for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);
        var response = await _app.GetAsync("/hello", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.TooManyRequests, ApiKeyFailureReasons.RateLimited);
        var retryAfter = response.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task RateLimit_PerKey_OtherKeysUnaffected()
    {
        var limited = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(1, TimeSpan.FromMinutes(1)));
        var other = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(1, TimeSpan.FromMinutes(1)));

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", limited.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _app.GetAsync("/hello", limited.Key)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", other.Key)).StatusCode);
    }

    [Fact]
    public async Task RateLimit_DeniedRequests_NeverSpendQuota()
    {
        var created = await _app.CreateKeyAsync(configure: r =>
        {
            r.Scopes = ["orders:read"];
            r.RateLimit = new ApiKeyRateLimit(2, TimeSpan.FromMinutes(1));
        });
        var wrongSecret = ApiKeyFormat.Default.Generate(created.Record.Id);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await _app.GetAsync("/hello", wrongSecret)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/orders", created.Key)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/orders", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _app.GetAsync("/hello", created.Key)).StatusCode);
    }

    [Fact]
    public async Task RateLimit_ChangedThroughManager_NewLimitApplies()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(1, TimeSpan.FromMinutes(1)));
        await _app.GetAsync("/hello", created.Key);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await _app.GetAsync("/hello", created.Key)).StatusCode);

        await _app.Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { RateLimit = new ApiKeyRateLimit(5, TimeSpan.FromMinutes(1)) });

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);
    }

    [Fact]
    public async Task RateLimit_CountedAsRefusal()
    {
        using var refused = new RefusalCounter(_app);
        var created = await _app.CreateKeyAsync(configure: r => r.RateLimit = new ApiKeyRateLimit(1, TimeSpan.FromMinutes(1)));

        await _app.GetAsync("/hello", created.Key);
        await _app.GetAsync("/hello", created.Key);
        await _app.SendAsync(HttpMethod.Post, "/orders", created.Key);

        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.RateLimited));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.ScopeMissing));
    }
}
