using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace Sightline.ApiKeys.Tests.Management;

/// <summary><see cref="ApiKeyVerifier"/>: the handler's validation path for a key string without an HttpContext.</summary>
public sealed class ApiKeyVerifierTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly CountingStore _store = new(new InMemoryApiKeyStore());

    private ApiKeyVerifier Verifier() => new(_store, new ApiKeyFormat("sl_ingest"), cacheDuration: TimeSpan.FromSeconds(30), timeProvider: _time);

    [Fact]
    public async Task Verify_ValidKey_SucceedsWithConsumerAndScopes_CachedAfterFirstLookup()
    {
        var verifier = Verifier();
        var created = await verifier.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "p", ConsumerId = "7", Scopes = ["ingest"] });

        var first = await verifier.VerifyAsync(created.Key);
        var second = await verifier.VerifyAsync(created.Key);

        Assert.True(first.Succeeded);
        Assert.Equal(("7", created.Record.Id), (first.ConsumerId, first.KeyId));
        Assert.True(first.HasScope("ingest"));
        Assert.False(first.HasScope("admin"));
        Assert.True(second.Succeeded);
        Assert.Equal(1, _store.Finds);
    }

    [Theory]
    [InlineData(null, "missing")]
    [InlineData("", "missing")]
    [InlineData("garbage", "malformed")]
    [InlineData("sl_live_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBB000000", "malformed")]
    public async Task Verify_MissingOrMalformed_RefusedWithoutLookup(string? key, string reason)
    {
        var result = await Verifier().VerifyAsync(key);

        Assert.Equal((false, reason), (result.Succeeded, result.Reason));
        Assert.Null(result.ConsumerId);
        Assert.False(result.HasScope("ingest"));
        Assert.Equal(0, _store.Finds);
    }

    [Fact]
    public async Task Verify_WrongChecksum_RefusedWithoutLookup_WrongSecretInvalid()
    {
        var verifier = Verifier();
        var key = (await verifier.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "p" })).Key;
        var badChecksum = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        var otherSecret = new ApiKeyFormat("sl_ingest").Generate(key.Split('_')[2]);

        Assert.Equal("malformed", (await verifier.VerifyAsync(badChecksum)).Reason);
        Assert.Equal(0, _store.Finds);
        Assert.Equal("invalid", (await verifier.VerifyAsync(otherSecret)).Reason);
    }

    [Fact]
    public async Task Verify_RevokedThroughManager_RefusedAtOnce_ElsewhereAfterCacheDuration()
    {
        var here = Verifier();
        var elsewhere = Verifier();
        var created = await here.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "p" });
        Assert.True((await elsewhere.VerifyAsync(created.Key)).Succeeded);

        await here.Manager.RevokeAsync(created.Record.Id);

        Assert.Equal("revoked", (await here.VerifyAsync(created.Key)).Reason);
        Assert.True((await elsewhere.VerifyAsync(created.Key)).Succeeded);
        _time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal("revoked", (await elsewhere.VerifyAsync(created.Key)).Reason);
    }

    [Fact]
    public async Task Verify_IpAllowList_Applied()
    {
        var verifier = Verifier();
        var key = (await verifier.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "p", AllowedNetworks = ["10.0.0.0/8"] })).Key;

        Assert.True((await verifier.VerifyAsync(key, IPAddress.Parse("10.1.2.3"))).Succeeded);
        Assert.Equal(ApiKeyFailureReasons.IpNotAllowed, (await verifier.VerifyAsync(key, IPAddress.Parse("192.0.2.1"))).Reason);
    }

    [Fact]
    public async Task FlushLastUsed_WritesSuccessfulUsesInOneBatch()
    {
        var verifier = Verifier();
        var a = await verifier.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "a" });
        var b = await verifier.Manager.CreateAsync(new ApiKeyCreateRequest { Name = "b" });
        await verifier.VerifyAsync(a.Key);
        await verifier.VerifyAsync(b.Key);
        await verifier.VerifyAsync("garbage");

        await verifier.FlushLastUsedAsync();
        await verifier.FlushLastUsedAsync();

        Assert.Equal(1, _store.LastUsedBatches);
        Assert.Equal(_time.GetUtcNow(), (await verifier.Manager.GetAsync(a.Record.Id))!.LastUsedAt);
        Assert.Equal(_time.GetUtcNow(), (await verifier.Manager.GetAsync(b.Record.Id))!.LastUsedAt);
    }

    [Fact]
    public void Create_CacheDurationOutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ApiKeyVerifier(_store, ApiKeyFormat.Default, cacheDuration: TimeSpan.FromHours(2)));
}
