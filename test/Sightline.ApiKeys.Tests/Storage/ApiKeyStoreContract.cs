namespace Sightline.ApiKeys.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IApiKeyStore"/> promises. One subclass per store runs all of it: in-memory,
/// configuration, SQLite (a real file) and PostgreSQL (a real server).
/// </summary>
public abstract class ApiKeyStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A store holding <paramref name="seed"/> (for writable stores, written with CreateAsync).</summary>
    protected abstract Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<ApiKeyRecord> seed);

    /// <summary>False for read-only stores (configuration): writes must throw <see cref="NotSupportedException"/>.</summary>
    protected virtual bool Writable => true;

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual Task DisposeAsync() => Task.CompletedTask;

    internal static ApiKeyRecord Record(string id, string? consumer = "customer-1", DateTimeOffset? createdAt = null) => new()
    {
        Id = id,
        Prefix = "sl_live",
        Hash = Enumerable.Range(0, 32).Select(i => (byte)(i * 7 + id.Length)).ToArray(),
        PepperVersion = 2,
        Name = "key " + id,
        ConsumerId = consumer,
        ConsumerName = consumer is null ? null : "Acme Corp",
        ConsumerGroup = consumer is null ? null : "Enterprise",
        Scopes = ["orders:read", "orders:write"],
        AllowedNetworks = ["10.0.0.0/8", "2001:db8::/32"],
        CreatedAt = createdAt ?? T0,
        ExpiresAt = T0.AddDays(30),
        RateLimit = new ApiKeyRateLimit(100, TimeSpan.FromMinutes(1)),
    };

    [SkippableFact]
    public async Task Find_SeededKey_RoundTripsEveryField()
    {
        var original = Record("AAAAAAAAAAA1");
        original.ReplacedBy = "AAAAAAAAAAA2";
        original.RevokedAt = T0.AddHours(1);
        var store = await CreateStoreAsync([original]);

        var found = (await store.FindAsync("AAAAAAAAAAA1"))!;

        Assert.Equal(original.Id, found.Id);
        Assert.Equal("sl_live", found.Prefix);
        Assert.Equal("sl_live_AAAAAAAAAAA1", found.DisplayPrefix);
        Assert.Equal(original.Hash, found.Hash);
        Assert.Equal(2, found.PepperVersion);
        Assert.Equal(original.Name, found.Name);
        Assert.Equal("customer-1", found.ConsumerId);
        Assert.Equal("Acme Corp", found.ConsumerName);
        Assert.Equal("Enterprise", found.ConsumerGroup);
        Assert.Equal(original.Scopes, found.Scopes);
        Assert.Equal(original.AllowedNetworks, found.AllowedNetworks);
        Assert.Equal(T0, found.CreatedAt);
        Assert.Equal(T0.AddDays(30), found.ExpiresAt);
        Assert.Equal(T0.AddHours(1), found.RevokedAt);
        Assert.True(found.IsRevoked);
        Assert.Null(found.LastUsedAt);
        Assert.Equal(new ApiKeyRateLimit(100, TimeSpan.FromMinutes(1)), found.RateLimit);
        Assert.Equal("AAAAAAAAAAA2", found.ReplacedBy);
    }

    [SkippableFact]
    public async Task Find_MinimalKey_NullsAndEmptiesRoundTrip()
    {
        var minimal = new ApiKeyRecord { Id = "MINIMAL00001", Hash = new byte[32], Name = "minimal", CreatedAt = T0 };
        var store = await CreateStoreAsync([minimal]);

        var found = (await store.FindAsync("MINIMAL00001"))!;

        Assert.Null(found.ConsumerId);
        Assert.Null(found.ConsumerName);
        Assert.Null(found.ConsumerGroup);
        Assert.Empty(found.Scopes);
        Assert.Empty(found.AllowedNetworks);
        Assert.Null(found.ExpiresAt);
        Assert.Null(found.RevokedAt);
        Assert.Null(found.RateLimit);
        Assert.Null(found.ReplacedBy);
        Assert.Equal(0, found.PepperVersion);
    }

    [SkippableFact]
    public async Task Find_UnknownOrDifferentlyCasedId_Null()
    {
        var store = await CreateStoreAsync([Record("AbCdEfGhIjK1")]);

        Assert.Null(await store.FindAsync("ZZZZZZZZZZZZ"));
        Assert.Null(await store.FindAsync("abcdefghijk1"));
    }

    [SkippableFact]
    public async Task Find_ReturnsCopy_ChangesDoNotLeakIntoStore()
    {
        var store = await CreateStoreAsync([Record("COPY00000001")]);

        var found = (await store.FindAsync("COPY00000001"))!;
        found.Scopes[0] = "changed";
        found.Name = "changed";

        var again = (await store.FindAsync("COPY00000001"))!;
        Assert.Equal("orders:read", again.Scopes[0]);
        Assert.Equal("key COPY00000001", again.Name);
    }

    [SkippableFact]
    public async Task List_All_OldestFirst_RevokedIncluded()
    {
        var revoked = Record("LIST00000002", createdAt: T0.AddMinutes(2));
        revoked.RevokedAt = T0.AddMinutes(3);
        var store = await CreateStoreAsync([Record("LIST00000003", createdAt: T0.AddMinutes(5)), Record("LIST00000001", createdAt: T0), revoked]);

        var all = await store.ListAsync();

        Assert.Equal(["LIST00000001", "LIST00000002", "LIST00000003"], all.Select(k => k.Id));
    }

    [SkippableFact]
    public async Task List_ByConsumer_OnlyThatConsumersKeys()
    {
        var store = await CreateStoreAsync([Record("OWNER0000001", "project-1"), Record("OWNER0000002", "project-2"), Record("OWNER0000003", "project-1"), Record("OWNER0000004", null)]);

        var mine = await store.ListAsync("project-1");

        Assert.Equal(["OWNER0000001", "OWNER0000003"], mine.Select(k => k.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await store.ListAsync("project-9"));
    }

    [SkippableFact]
    public async Task Create_NewKey_Findable()
    {
        var store = await CreateStoreAsync([]);
        if (!Writable)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => store.CreateAsync(Record("NEW000000001")));
            return;
        }

        await store.CreateAsync(Record("NEW000000001"));

        Assert.NotNull(await store.FindAsync("NEW000000001"));
    }

    [SkippableFact]
    public async Task Create_DuplicateId_ThrowsInvalidOperation()
    {
        var store = await CreateStoreAsync([Record("DUPLICATE001")]);
        if (!Writable)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => store.CreateAsync(Record("DUPLICATE001")));
            return;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.CreateAsync(Record("DUPLICATE001")));
        Assert.Contains("DUPLICATE001", error.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Update_Metadata_PersistedButHashAndCreationKept()
    {
        var store = await CreateStoreAsync([Record("UPDATE000001")]);
        var changed = (await store.FindAsync("UPDATE000001"))!;
        changed.Name = "renamed";
        changed.Scopes = ["admin"];
        changed.AllowedNetworks = [];
        changed.ExpiresAt = null;
        changed.RevokedAt = T0.AddDays(1);
        changed.RateLimit = null;
        changed.ReplacedBy = "UPDATE000002";
        changed.ConsumerGroup = "Self-serve";
        changed.Hash = new byte[32];
        changed.CreatedAt = T0.AddYears(1);
        if (!Writable)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => store.UpdateAsync(changed));
            return;
        }

        Assert.True(await store.UpdateAsync(changed));

        var found = (await store.FindAsync("UPDATE000001"))!;
        Assert.Equal("renamed", found.Name);
        Assert.Equal(["admin"], found.Scopes);
        Assert.Empty(found.AllowedNetworks);
        Assert.Null(found.ExpiresAt);
        Assert.Equal(T0.AddDays(1), found.RevokedAt);
        Assert.Null(found.RateLimit);
        Assert.Equal("UPDATE000002", found.ReplacedBy);
        Assert.Equal("Self-serve", found.ConsumerGroup);
        Assert.Equal(Record("UPDATE000001").Hash, found.Hash);
        Assert.Equal(T0, found.CreatedAt);
    }

    [SkippableFact]
    public async Task Update_UnknownId_False()
    {
        var store = await CreateStoreAsync([]);
        if (!Writable)
        {
            await Assert.ThrowsAsync<NotSupportedException>(() => store.UpdateAsync(Record("NOPE00000001")));
            return;
        }

        Assert.False(await store.UpdateAsync(Record("NOPE00000001")));
    }

    [SkippableFact]
    public async Task UpdateLastUsed_Batch_SetsEachAndIgnoresUnknown()
    {
        var store = await CreateStoreAsync([Record("USED00000001"), Record("USED00000002"), Record("USED00000003")]);

        await store.UpdateLastUsedAsync([new("USED00000001", T0.AddMinutes(1)), new("USED00000002", T0.AddMinutes(2)), new("UNKNOWN00001", T0)]);

        Assert.Equal(T0.AddMinutes(1), (await store.FindAsync("USED00000001"))!.LastUsedAt);
        Assert.Equal(T0.AddMinutes(2), (await store.FindAsync("USED00000002"))!.LastUsedAt);
        Assert.Null((await store.FindAsync("USED00000003"))!.LastUsedAt);
        Assert.Null(await store.FindAsync("UNKNOWN00001"));
    }

    [SkippableFact]
    public async Task UpdateLastUsed_OlderTime_NeverMovesBack()
    {
        var store = await CreateStoreAsync([Record("MONOTONIC001")]);

        await store.UpdateLastUsedAsync([new("MONOTONIC001", T0.AddMinutes(10))]);
        await store.UpdateLastUsedAsync([new("MONOTONIC001", T0.AddMinutes(5))]);

        Assert.Equal(T0.AddMinutes(10), (await store.FindAsync("MONOTONIC001"))!.LastUsedAt);
    }

    [SkippableFact]
    public async Task UpdateLastUsed_ConcurrentWriters_LatestWins()
    {
        var store = await CreateStoreAsync([Record("CONCURRENT01"), Record("CONCURRENT02")]);

        // Several instances flushing at once, in no particular order.
        await Task.WhenAll(Enumerable.Range(1, 24).Select(i => Task.Run(() => store.UpdateLastUsedAsync(
            [new("CONCURRENT01", T0.AddSeconds(i)), new("CONCURRENT02", T0.AddSeconds(100 - i))]))));

        Assert.Equal(T0.AddSeconds(24), (await store.FindAsync("CONCURRENT01"))!.LastUsedAt);
        Assert.Equal(T0.AddSeconds(99), (await store.FindAsync("CONCURRENT02"))!.LastUsedAt);
    }

    [SkippableFact]
    public async Task UpdateLastUsed_DoesNotTouchMetadata()
    {
        var store = await CreateStoreAsync([Record("TOUCHONLY001")]);

        await store.UpdateLastUsedAsync([new("TOUCHONLY001", T0.AddMinutes(1))]);

        var found = (await store.FindAsync("TOUCHONLY001"))!;
        Assert.Equal(Record("TOUCHONLY001").Scopes, found.Scopes);
        Assert.Null(found.RevokedAt);
    }
}
