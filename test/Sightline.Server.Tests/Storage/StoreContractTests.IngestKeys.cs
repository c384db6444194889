using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Sightline.ApiKeys;
using Sightline.ApiKeys.PostgreSql;
using Sightline.ApiKeys.Sqlite;
using Sightline.Server.Security;
using Sightline.Server.Storage;
using Sightline.Server.Tests.Security;

namespace Sightline.Server.Tests.Storage;

/// <summary>Ingest keys (<see cref="IngestKeyService"/> over Sightline.ApiKeys in the store's own database), against each real store.</summary>
public abstract partial class StoreContractTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private Task<IngestKeyService> KeysAsync() => IngestKeyService.OpenAsync(Store, timeProvider: _time);

    private IApiKeyStore ApiKeyTable() => Store switch
    {
        SqliteStore sqlite => new SqliteApiKeyStore(sqlite.ConnectionString, IngestKeyService.Table),
        PostgresStore postgres => new PostgreSqlApiKeyStore(postgres.DataSource, IngestKeyService.Table),
        _ => throw new NotSupportedException(),
    };

    private static string Tamper(string key) => key[..^1] + (key[^1] == 'a' ? 'b' : 'a');

    [StoreFact]
    public async Task IngestKeys_IssuedInApiKeysFormat_ValidatedThenRevokedAtOnce()
    {
        var keys = await KeysAsync();
        var project = NewProject();
        var key = (await keys.CreateAsync(project, "billing")).Key;
        var other = (await keys.CreateAsync(project)).Key;
        var keyId = new ApiKeyFormat("sl_ingest").TryParse(key, out var id) ? id.ToString() : throw new InvalidOperationException("not the ApiKeys format");

        Assert.Equal(53, key.Length);
        Assert.Matches("^sl_ingest_[A-Za-z0-9_]*$", key);
        Assert.Equal(project, await keys.ValidateAsync(key, null));
        Assert.Null(await keys.ValidateAsync(Tamper(key), null));
        Assert.Null(await keys.ValidateAsync(null, null));
        Assert.Null(await keys.ValidateAsync("garbage", null));
        Assert.Null(await keys.ValidateAsync("sl_ingest_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", null));
        // Only the SHA-256 is stored, never the key.
        var stored = await ApiKeyTable().FindAsync(keyId);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(key)), stored!.Hash);
        Assert.Equal(["ingest"], stored.Scopes);
        Assert.Equal(project.ToString(System.Globalization.CultureInfo.InvariantCulture), stored.ConsumerId);

        Assert.False(await keys.RevokeAsync(NewProject(), keyId));
        Assert.True(await keys.RevokeAsync(project, keyId));
        Assert.False(await keys.RevokeAsync(project, keyId));
        Assert.False(await keys.RevokeAsync(project, "nosuchkey123"));
        Assert.Null(await keys.ValidateAsync(key, null));
        Assert.Equal(project, await keys.ValidateAsync(other, null));
    }

    [StoreFact]
    public async Task IngestKeys_ListedNewestFirst_RotateKeepsOldForGraceThenRefusesIt()
    {
        var keys = await KeysAsync();
        var project = NewProject();
        var first = await keys.CreateAsync(project, "first");
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await keys.CreateAsync(project, "second");
        _time.Advance(TimeSpan.FromSeconds(1));

        var rotated = await keys.RotateAsync(project, first.Row.KeyId, TimeSpan.FromHours(1));

        Assert.NotNull(rotated);
        Assert.Equal("first", rotated.Row.Name);
        Assert.Equal(project, await keys.ValidateAsync(rotated.Key, null));
        Assert.Equal(project, await keys.ValidateAsync(first.Key, null));
        var listed = await keys.ListAsync(project);
        Assert.Equal([rotated.Row.KeyId, second.Row.KeyId, first.Row.KeyId], listed.Select(k => k.KeyId));
        var old = listed[2];
        Assert.Equal("expiring", old.State);
        Assert.Equal(_time.GetUtcNow().AddHours(1), old.Expires!.Value, TimeSpan.FromMilliseconds(1));
        Assert.Equal(rotated.Row.KeyId, old.ReplacedBy);
        Assert.All(listed, k => Assert.False(k.Legacy));
        Assert.All(listed, k => Assert.StartsWith("sl_ingest_", k.Prefix, StringComparison.Ordinal));
        Assert.Null(await keys.RotateAsync(NewProject(), second.Row.KeyId, TimeSpan.Zero));
        Assert.Null(await keys.RotateAsync(project, "nosuchkey123", TimeSpan.Zero));
        Assert.Empty(await keys.ListAsync(NewProject()));

        _time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Assert.Null(await keys.ValidateAsync(first.Key, null));
        Assert.Equal("expired", (await keys.ListAsync(project)).Single(k => k.KeyId == first.Row.KeyId).State);
        Assert.Null(await keys.RotateAsync(project, first.Row.KeyId, TimeSpan.Zero));
        Assert.Equal(project, await keys.ValidateAsync(rotated.Key, null));
    }

    [StoreFact]
    public async Task IngestKeys_RevokedOnAnotherServer_RefusedWithinTheCacheDuration()
    {
        var serverA = await KeysAsync();
        var serverB = await KeysAsync();
        var project = NewProject();
        var created = await serverA.CreateAsync(project);
        Assert.Equal(project, await serverB.ValidateAsync(created.Key, null));

        Assert.True(await serverA.RevokeAsync(project, created.Row.KeyId));

        Assert.Null(await serverA.ValidateAsync(created.Key, null));
        Assert.Equal(project, await serverB.ValidateAsync(created.Key, null)); // still cached on B
        _time.Advance(serverB.CacheDuration + TimeSpan.FromSeconds(1));
        Assert.Null(await serverB.ValidateAsync(created.Key, null));
    }

    [StoreFact]
    public async Task IngestKeys_KeyWithoutIngestScope_Refused()
    {
        var project = NewProject();
        var manager = new ApiKeyManager(ApiKeyTable(), format: new ApiKeyFormat("sl_ingest"));
        var unscoped = await manager.CreateAsync(new ApiKeyCreateRequest { Name = "no scope", ConsumerId = project.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var keys = await KeysAsync();

        Assert.Null(await keys.ValidateAsync(unscoped.Key, null));
    }

    [StoreFact]
    public async Task IngestKeys_LegacyKeyFromOldCodePath_StillIngestsAfterUpgrade_RotateIssuesNewFormat()
    {
        var project = NewProject();
        var legacy = LegacyKeys.Issue(Store, project);
        var revokedLegacy = LegacyKeys.Issue(Store, project, revoked: true);
        var legacyId = legacy.Split('_')[2];

        var keys = await KeysAsync(); // the upgraded server starts

        Assert.Equal(55, legacy.Length);
        Assert.Equal(project, await keys.ValidateAsync(legacy, null));
        Assert.Null(await keys.ValidateAsync(Tamper(legacy), null));
        Assert.Null(await keys.ValidateAsync(revokedLegacy, null));
        var listed = await keys.ListAsync(project);
        Assert.Equal(2, listed.Count);
        Assert.All(listed, k => Assert.True(k.Legacy));
        var row = listed.Single(k => k.KeyId == legacyId);
        Assert.Equal(("sl_ingest_" + legacyId, "active"), (row.Prefix, row.State));
        Assert.Equal("revoked", listed.Single(k => k.KeyId != legacyId).State);

        var rotated = await keys.RotateAsync(project, legacyId, TimeSpan.FromMinutes(10));

        Assert.NotNull(rotated);
        Assert.True(new ApiKeyFormat("sl_ingest").IsValid(rotated.Key));
        Assert.False(rotated.Row.Legacy);
        Assert.Equal("ingest key", rotated.Row.Name);
        Assert.Equal(project, await keys.ValidateAsync(rotated.Key, null));
        Assert.Equal(project, await keys.ValidateAsync(legacy, null)); // grace period
        // A restart imports again: idempotent, and the rotation is kept.
        var restarted = await KeysAsync();
        Assert.Equal(3, (await restarted.ListAsync(project)).Count);
        Assert.Equal("expiring", (await restarted.ListAsync(project)).Single(k => k.KeyId == legacyId).State);
        _time.Advance(TimeSpan.FromMinutes(11));
        Assert.Null(await restarted.ValidateAsync(legacy, null));
        Assert.Null(await keys.ValidateAsync(legacy, null));
        Assert.Equal(project, await restarted.ValidateAsync(rotated.Key, null));
    }

    [StoreFact]
    public async Task IngestKeys_LegacyKeyRevoked_RefusedAtOnce()
    {
        var project = NewProject();
        var legacy = LegacyKeys.Issue(Store, project);
        var keys = await KeysAsync();
        Assert.Equal(project, await keys.ValidateAsync(legacy, null));

        Assert.True(await keys.RevokeAsync(project, legacy.Split('_')[2]));

        Assert.Null(await keys.ValidateAsync(legacy, null));
        Assert.Null(await (await KeysAsync()).ValidateAsync(legacy, null));
    }
}
