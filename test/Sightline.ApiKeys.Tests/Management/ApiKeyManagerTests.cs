using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;

namespace Sightline.ApiKeys.Tests.Management;

public sealed class ApiKeyManagerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Create_StoresHashNeverTheKey()
    {
        var store = new InMemoryApiKeyStore();
        var manager = new ApiKeyManager(store, timeProvider: _time);

        var created = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "ci", ConsumerId = "project-7", Scopes = ["ingest"] });

        Assert.True(ApiKeyFormat.Default.IsValid(created.Key));
        var stored = (await store.FindAsync(created.Record.Id))!;
        Assert.True(ApiKeyHasher.Unpeppered.Verify(created.Key, stored.Hash, stored.PepperVersion));
        var secret = created.Key[(created.Key.LastIndexOf('_') + 1)..];
        var everything = string.Join("|", stored.Id, stored.Name, stored.DisplayPrefix, Encoding.ASCII.GetString(stored.Hash), Convert.ToBase64String(stored.Hash));
        Assert.DoesNotContain(secret[..8], everything, StringComparison.Ordinal);
        Assert.Equal(_time.GetUtcNow(), stored.CreatedAt);
        Assert.Equal("project-7", stored.ConsumerId);
    }

    [Fact]
    public async Task Create_SubMillisecondExpiry_ReturnedEqualsStored()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sightline-apikeys-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        try
        {
            var store = new Sightline.ApiKeys.Sqlite.SqliteApiKeyStore($"Data Source={Path.Combine(directory, "keys.db")}");
            var manager = new ApiKeyManager(store, timeProvider: _time);

            var created = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "k", ExpiresAt = _time.GetUtcNow().AddTicks(12_345) });

            Assert.Equal(created.Record.ExpiresAt, (await store.FindAsync(created.Record.Id))!.ExpiresAt);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Create_ForProject_ListedByConsumer()
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore(), format: new ApiKeyFormat("sl_ingest"));

        var a = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "shop ingest", ConsumerId = "project-1" });
        await manager.CreateAsync(new ApiKeyCreateRequest { Name = "blog ingest", ConsumerId = "project-2" });

        Assert.StartsWith("sl_ingest_", a.Key, StringComparison.Ordinal);
        Assert.Equal(a.Record.Id, Assert.Single(await manager.ListAsync("project-1")).Id);
        Assert.Equal(2, (await manager.ListAsync()).Count);
    }

    [Theory]
    [InlineData("", null, null, "needs a name")]
    [InlineData("k", "orders write", null, "Scope 'orders write' is invalid")]
    [InlineData("k", null, "10.0.0.1/8", "did you mean 10.0.0.0/8")]
    public async Task Create_InvalidRequest_ThrowsExplaining(string name, string? scope, string? network, string expected)
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore());
        var request = new ApiKeyCreateRequest { Name = name, Scopes = scope is null ? [] : [scope], AllowedNetworks = network is null ? [] : [network] };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => manager.CreateAsync(request));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InvalidRateLimit_Throws()
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore());

        await Assert.ThrowsAsync<ArgumentException>(() => manager.CreateAsync(new ApiKeyCreateRequest { Name = "k", RateLimit = new ApiKeyRateLimit(0, TimeSpan.FromMinutes(1)) }));
    }

    [Fact]
    public async Task Update_ExpiryAndNetworksAndRateLimit_PersistedAndClearable()
    {
        var store = new InMemoryApiKeyStore();
        var manager = new ApiKeyManager(store, timeProvider: _time);
        var created = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "k" });

        await manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate
        {
            ExpiresAt = _time.GetUtcNow().AddDays(7),
            AllowedNetworks = ["192.0.2.0/24"],
            RateLimit = new ApiKeyRateLimit(10, TimeSpan.FromSeconds(1)),
            Name = "renamed",
        });
        var updated = (await manager.GetAsync(created.Record.Id))!;
        Assert.Equal(_time.GetUtcNow().AddDays(7), updated.ExpiresAt);
        Assert.Equal(["192.0.2.0/24"], updated.AllowedNetworks);
        Assert.Equal(new ApiKeyRateLimit(10, TimeSpan.FromSeconds(1)), updated.RateLimit);
        Assert.Equal("renamed", updated.Name);

        await manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { ClearExpiry = true, ClearRateLimit = true, AllowedNetworks = [] });
        var cleared = (await manager.GetAsync(created.Record.Id))!;
        Assert.Null(cleared.ExpiresAt);
        Assert.Null(cleared.RateLimit);
        Assert.Empty(cleared.AllowedNetworks);
    }

    [Fact]
    public async Task UnknownId_NullOrFalse()
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore());

        Assert.Null(await manager.GetAsync("NOSUCHKEY001"));
        Assert.False(await manager.RevokeAsync("NOSUCHKEY001"));
        Assert.Null(await manager.RotateAsync("NOSUCHKEY001", TimeSpan.FromHours(1)));
        Assert.Null(await manager.UpdateAsync("NOSUCHKEY001", new ApiKeyUpdate { Name = "x" }));
    }

    [Fact]
    public async Task Rotate_OldKeyValidThroughGraceThenExpired_NewKeyKeepsMetadata()
    {
        await using var app = await ApiKeyApp.StartAsync(timeProvider: _time);
        var old = await app.CreateKeyAsync("partner", r =>
        {
            r.Scopes = ["orders:read"];
            r.AllowedNetworks = ["127.0.0.0/8"];
        });

        var rotated = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(24)))!;

        Assert.NotEqual(old.Key, rotated.Key);
        Assert.Equal(old.Record.Scopes, rotated.Record.Scopes);
        Assert.Equal(old.Record.AllowedNetworks, rotated.Record.AllowedNetworks);
        Assert.Equal(old.Record.ConsumerId, rotated.Record.ConsumerId);
        Assert.Equal(rotated.Record.Id, (await app.Manager.GetAsync(old.Record.Id))!.ReplacedBy);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", old.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", rotated.Key)).StatusCode);

        _time.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", old.Key)).StatusCode);

        _time.Advance(TimeSpan.FromSeconds(1));
        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/orders", old.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Expired);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", rotated.Key)).StatusCode);
    }

    [Fact]
    public async Task Rotate_ZeroGrace_OldKeyStopsAtOnce()
    {
        await using var app = await ApiKeyApp.StartAsync(timeProvider: _time);
        var old = await app.CreateKeyAsync();
        await app.GetAsync("/hello", old.Key);

        var rotated = (await app.Manager.RotateAsync(old.Record.Id, TimeSpan.Zero))!;

        await ApiKeyApp.AssertRefusedAsync(await app.GetAsync("/hello", old.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Expired);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/hello", rotated.Key)).StatusCode);
    }

    [Fact]
    public async Task Rotate_GraceBeyondExistingExpiry_KeepsEarlierExpiry()
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore(), timeProvider: _time);
        var old = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "k", ExpiresAt = _time.GetUtcNow().AddHours(1) });

        var rotated = (await manager.RotateAsync(old.Record.Id, TimeSpan.FromDays(7)))!;

        Assert.Equal(_time.GetUtcNow().AddHours(1), (await manager.GetAsync(old.Record.Id))!.ExpiresAt);
        Assert.Equal(_time.GetUtcNow().AddHours(1), rotated.Record.ExpiresAt);
    }

    [Fact]
    public async Task Rotate_RevokedKey_Refused()
    {
        var manager = new ApiKeyManager(new InMemoryApiKeyStore(), timeProvider: _time);
        var old = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "k" });
        await manager.RevokeAsync(old.Record.Id);

        Assert.Null(await manager.RotateAsync(old.Record.Id, TimeSpan.FromHours(1)));
        Assert.Single(await manager.ListAsync());
    }
}
