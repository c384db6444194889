using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Extensions.Time.Testing;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests.Authentication;

public sealed class ApiKeyAuthenticationTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private CountingStore _store = null!;
    private ApiKeyApp _app = null!;

    public async Task InitializeAsync()
    {
        _store = new CountingStore(new InMemoryApiKeyStore());
        _app = await ApiKeyApp.StartAsync(store: _store, timeProvider: _time);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Authenticate_ValidKey_PrincipalCarriesKeyScopesAndConsumer()
    {
        var created = await _app.CreateKeyAsync("billing", r => r.Scopes = ["orders:read", "orders:write"]);

        var response = await _app.GetAsync("/hello", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var caller = (await response.Content.ReadFromJsonAsync<Caller>())!;
        Assert.Equal(created.Record.Id, caller.KeyId);
        Assert.Equal("billing", caller.KeyName);
        Assert.Equal("customer-42", caller.ConsumerId);
        Assert.Equal("Acme", caller.ConsumerName);
        Assert.Equal("Enterprise", caller.ConsumerGroup);
        Assert.Equal(["orders:read", "orders:write"], caller.Scopes);
    }

    [Fact]
    public async Task Authenticate_NoKey_401Missing()
    {
        var response = await _app.GetAsync("/hello", null);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task Authenticate_AnonymousEndpoint_NeedsNoKey()
    {
        var response = await _app.GetAsync("/public", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_BadChecksum_401MalformedWithoutStoreLookup()
    {
        var created = await _app.CreateKeyAsync();
        var finds = _store.Finds;
        var typo = created.Key[..^1] + (created.Key[^1] == 'x' ? 'y' : 'x');

        var response = await _app.GetAsync("/hello", typo);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Malformed);
        Assert.Equal(finds, _store.Finds);
    }

    [Theory]
    [InlineData("secret")]
    [InlineData("Bearer sl_live_x")]
    [InlineData("sl_live_0000000000000_0000000000000000000000000000")]
    public async Task Authenticate_Garbage_401Malformed(string key)
    {
        var response = await _app.GetAsync("/hello", key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Malformed);
        Assert.Equal(0, _store.Finds);
    }

    [Fact]
    public async Task Authenticate_KeyOfOtherPrefix_401Malformed()
    {
        var other = await _app.CreateKeyAsync(configure: r => r.Prefix = "sl_test");

        var response = await _app.GetAsync("/hello", other.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Malformed);
    }

    [Fact]
    public async Task Authenticate_UnknownIdAndWrongSecret_IndistinguishableInvalid()
    {
        var created = await _app.CreateKeyAsync();
        var unknown = ApiKeyFormat.Default.Generate();
        var wrongSecret = ApiKeyFormat.Default.Generate(created.Record.Id);

        var first = await _app.GetAsync("/hello", unknown);
        var second = await _app.GetAsync("/hello", wrongSecret);

        var a = await ApiKeyApp.AssertRefusedAsync(first, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Invalid);
        var b = await ApiKeyApp.AssertRefusedAsync(second, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Invalid);
        Assert.Equal(a.GetProperty("detail").GetString(), b.GetProperty("detail").GetString());
        Assert.Equal(first.Headers.WwwAuthenticate.ToString(), second.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Authenticate_RevokedKey_401RevokedAtOnceOnThisInstance()
    {
        var created = await _app.CreateKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);

        Assert.True(await _app.Manager.RevokeAsync(created.Record.Id));
        var response = await _app.GetAsync("/hello", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Revoked);
    }

    [Fact]
    public async Task Authenticate_ExpiredKey_401Expired()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.ExpiresAt = _time.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);

        _time.Advance(TimeSpan.FromHours(1));
        var response = await _app.GetAsync("/hello", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Expired);
    }

    [Fact]
    public async Task Authenticate_ClientIpOutsideAllowlist_403IpNotAllowed()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8", "2001:db8::/32"]);

        var response = await _app.GetAsync("/hello", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
    }

    [Fact]
    public async Task Authenticate_ClientIpInsideAllowlist_200()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8", "127.0.0.1/32"]);

        var response = await _app.GetAsync("/hello", created.Key);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_RevokedKeyFromDisallowedIp_RevokedWinsAsChecksRunInOrder()
    {
        var created = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8"]);
        await _app.Manager.RevokeAsync(created.Record.Id);

        var response = await _app.GetAsync("/hello", created.Key);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Revoked);
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("ApiKey")]
    [InlineData("bearer")]
    public async Task Authenticate_AuthorizationHeader_Accepted(string scheme)
    {
        var created = await _app.CreateKeyAsync();

        var response = await _app.GetAsync("/hello", null, r => r.Headers.Authorization = new AuthenticationHeaderValue(scheme, created.Key));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Authenticate_BasicAuthorization_Ignored401Missing()
    {
        var response = await _app.GetAsync("/hello", null, r => r.Headers.Authorization = new AuthenticationHeaderValue("Basic", "dXNlcjpwYXNz"));

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task Authenticate_QueryStringByDefault_Ignored401Missing()
    {
        var created = await _app.CreateKeyAsync();

        var response = await _app.GetAsync("/hello?api_key=" + created.Key, null);

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Missing);
    }

    [Fact]
    public async Task Authenticate_CachedKey_NoStoreLookupPerRequest()
    {
        var created = await _app.CreateKeyAsync();
        await _app.GetAsync("/hello", created.Key);
        var finds = _store.Finds;

        for (var i = 0; i < 10; i++) Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello", created.Key)).StatusCode);

        Assert.Equal(finds, _store.Finds);
    }

    [Fact]
    public async Task Authenticate_CacheEntryExpired_ReloadsFromStore()
    {
        var created = await _app.CreateKeyAsync();
        await _app.GetAsync("/hello", created.Key);
        var finds = _store.Finds;

        _time.Advance(TimeSpan.FromSeconds(31));
        await _app.GetAsync("/hello", created.Key);

        Assert.Equal(finds + 1, _store.Finds);
    }

    [Fact]
    public async Task Authenticate_ManyRequests_LastUsedWrittenInOneBatch()
    {
        var keys = new List<ApiKeyCreated>();
        for (var i = 0; i < 5; i++) keys.Add(await _app.CreateKeyAsync("key " + i));
        _time.Advance(TimeSpan.FromMinutes(1));
        var usedAt = _time.GetUtcNow();

        await Task.WhenAll(Enumerable.Range(0, 100).Select(i => _app.GetAsync("/hello", keys[i % 5].Key)));
        Assert.Equal(0, _store.LastUsedBatches);
        await _app.FlushLastUsedAsync();

        Assert.Equal(1, _store.LastUsedBatches);
        Assert.Equal(5, _store.Batches[0].Count);
        foreach (var key in keys) Assert.Equal(usedAt, (await _store.FindAsync(key.Record.Id))!.LastUsedAt);
    }

    [Fact]
    public async Task Authenticate_LastUsed_FlushedByBackgroundServiceOnInterval()
    {
        var created = await _app.CreateKeyAsync();
        await _app.GetAsync("/hello", created.Key);

        _time.Advance(TimeSpan.FromSeconds(10));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await _store.FindAsync(created.Record.Id))!.LastUsedAt is null && DateTime.UtcNow < deadline) await Task.Delay(20);

        Assert.NotNull((await _store.FindAsync(created.Record.Id))!.LastUsedAt);
    }

    [Fact]
    public async Task Authenticate_RefusedAttempt_LoggedWithoutSecret()
    {
        var created = await _app.CreateKeyAsync();
        await _app.Manager.RevokeAsync(created.Record.Id);

        await _app.GetAsync("/hello?x=1", created.Key);

        var entry = Assert.Single(_app.Logs.Entries, e => e.EventId.Id == 4001);
        var state = entry.State.ToDictionary(p => p.Key, p => p.Value?.ToString());
        Assert.Equal("revoked", state["Reason"]);
        Assert.Equal("sl_live_" + created.Record.Id, state["KeyPrefix"]);
        Assert.Equal("127.0.0.1", state["ClientIp"]);
        Assert.Equal("/hello", state["Path"]);
        Assert.Equal("GET", state["Method"]);
        var secret = created.Key[(8 + 13)..];
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains(secret, StringComparison.Ordinal) || e.Message.Contains(created.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Authenticate_RefusalFlood_LogsSampledButAllCounted()
    {
        using var refused = new RefusalCounter(_app);

        for (var i = 0; i < 60; i++) await _app.GetAsync("/hello", "not-a-key-" + i);
        var logged = _app.Logs.Entries.Count(e => e.EventId.Id == 4001);
        _time.Advance(TimeSpan.FromSeconds(1));
        await _app.GetAsync("/hello", "not-a-key");

        Assert.Equal(ApiKeyRefusals.LogsPerSecond, logged);
        var summary = Assert.Single(_app.Logs.Entries, e => e.EventId.Id == 4002);
        Assert.Contains("40 more", summary.Message, StringComparison.Ordinal);
        Assert.Equal(61, refused.Count(ApiKeyFailureReasons.Malformed));
    }

    [Fact]
    public async Task Authenticate_Refusals_CountedByReason()
    {
        using var refused = new RefusalCounter(_app);
        var created = await _app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["10.0.0.0/8"]);

        await _app.GetAsync("/hello", null);
        await _app.GetAsync("/hello", "bad");
        await _app.GetAsync("/hello", ApiKeyFormat.Default.Generate());
        await _app.GetAsync("/hello", created.Key);

        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.Missing));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.Malformed));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.Invalid));
        Assert.Equal(1, refused.Count(ApiKeyFailureReasons.IpNotAllowed));
    }
}
