using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Sightline.ApiKeys.Sqlite;

namespace Sightline.ApiKeys.Tests.Management;

/// <summary>Two app instances sharing one SQLite file: a change on one reaches the other within CacheDuration.</summary>
public sealed class RevocationPropagationTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-apikeys-tests", Guid.NewGuid().ToString("n"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private ApiKeyApp _a = null!;
    private ApiKeyApp _b = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "keys.db")}";
        _a = await ApiKeyApp.StartAsync(o => o.CacheDuration = TimeSpan.FromSeconds(5), new SqliteApiKeyStore(connectionString), _time);
        _b = await ApiKeyApp.StartAsync(o => o.CacheDuration = TimeSpan.FromSeconds(5), new SqliteApiKeyStore(connectionString), _time);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Revoke_OnInstanceA_InstanceBRefusesWithinCacheDuration()
    {
        var created = await _a.CreateKeyAsync();
        Assert.Equal(HttpStatusCode.OK, (await _a.GetAsync("/hello", created.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _b.GetAsync("/hello", created.Key)).StatusCode);

        await _a.Manager.RevokeAsync(created.Record.Id);

        await ApiKeyApp.AssertRefusedAsync(await _a.GetAsync("/hello", created.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Revoked);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(HttpStatusCode.OK, (await _b.GetAsync("/hello", created.Key)).StatusCode); // still inside B's documented bound
        _time.Advance(TimeSpan.FromSeconds(1));
        await ApiKeyApp.AssertRefusedAsync(await _b.GetAsync("/hello", created.Key), HttpStatusCode.Unauthorized, ApiKeyFailureReasons.Revoked);
    }

    [Fact]
    public async Task Create_OnInstanceA_UsableOnInstanceB()
    {
        var created = await _a.CreateKeyAsync();

        Assert.Equal(HttpStatusCode.OK, (await _b.GetAsync("/hello", created.Key)).StatusCode);
    }

    [Fact]
    public async Task LastUsed_BothInstancesFlushConcurrently_LatestKept()
    {
        var created = await _a.CreateKeyAsync();
        await _a.GetAsync("/hello", created.Key);
        _time.Advance(TimeSpan.FromSeconds(3));
        var later = _time.GetUtcNow();
        await _b.GetAsync("/hello", created.Key);

        await Task.WhenAll(_b.FlushLastUsedAsync(), _a.FlushLastUsedAsync());

        Assert.Equal(later, (await _a.Manager.GetAsync(created.Record.Id))!.LastUsedAt);
    }
}
