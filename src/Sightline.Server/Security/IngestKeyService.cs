using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using Sightline.ApiKeys;
using Sightline.ApiKeys.PostgreSql;
using Sightline.ApiKeys.Sqlite;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Security;

/// <summary>
/// Project ingest keys, issued and validated by Sightline.ApiKeys: format <c>sl_ingest</c>
/// (<c>sl_ingest_&lt;id:12&gt;_&lt;secret:24&gt;&lt;crc32:6&gt;</c>), the project id as the key's consumer, scope
/// <c>ingest</c>, only the hash stored (HMAC-SHA-256 keyed by <see cref="ServerOptions.IngestKeyPeppers"/> when configured,
/// else SHA-256), in table <c>ingest_api_keys</c> of the server's own database (the same
/// SQLite file, or the same PostgreSQL database). Validation goes through <see cref="ApiKeyVerifier"/>: a malformed key
/// or bad checksum is refused before any lookup, the hash is compared in constant time, and looked-up keys are cached
/// for <see cref="CacheDuration"/> — a revocation or rotation made through this instance applies at once, one made by
/// another server or the <c>sightline</c> tool within that time.
/// <para>
/// Keys issued before this (legacy format <c>sl_ingest_&lt;id:12&gt;_&lt;secret:32&gt;</c>, table <c>ingest_keys</c>) are
/// imported into the same table on start (hash, project, created, revoked; idempotent) and keep working until they are
/// rotated or revoked; they are listed with <see cref="IngestKeyRow.Legacy"/> set, and rotating one issues a
/// new-format key.
/// </para>
/// </summary>
public sealed class IngestKeyService
{
    /// <summary>The typed prefix of ingest keys.</summary>
    public const string Prefix = "sl_ingest";

    /// <summary>The scope every ingest key carries; a key without it does not ingest.</summary>
    public const string Scope = "ingest";

    /// <summary>The table of the server's database the keys live in.</summary>
    public const string Table = "ingest_api_keys";

    /// <summary>How long a key rotated from the dashboard keeps working. The <c>sightline</c> tool takes <c>--grace</c>.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(24);

    /// <summary>How long a looked-up key is cached by default (bounds how late another process's revocation applies).</summary>
    public static readonly TimeSpan DefaultCacheDuration = TimeSpan.FromSeconds(30);

    internal const string DefaultName = "ingest key";
    internal const string LegacyName = "ingest key (legacy format)";

    private static readonly ApiKeyFormat Format = new(Prefix);
    private readonly IApiKeyStore _store;
    private readonly ApiKeyVerifier _verifier;
    private readonly IApiKeyManager _manager;
    private readonly TimeProvider _time;
    private readonly FrozenSet<string> _legacyIds;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _legacyLookup;
    private readonly ConcurrentDictionary<string, LegacyEntry> _legacyCache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _legacyUsed = new(StringComparer.Ordinal);

    private IngestKeyService(IApiKeyStore store, IEnumerable<string> legacyIds, TimeSpan cacheDuration, TimeProvider time, ApiKeyHasher hasher)
    {
        _store = store;
        _time = time;
        CacheDuration = cacheDuration;
        PepperVersion = hasher.CurrentVersion;
        _verifier = new ApiKeyVerifier(store, Format, hasher, cacheDuration, timeProvider: time);
        _manager = _verifier.Manager;
        _legacyIds = legacyIds.ToFrozenSet(StringComparer.Ordinal);
        _legacyLookup = _legacyIds.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>How long a looked-up key is cached on this instance.</summary>
    public TimeSpan CacheDuration { get; }

    /// <summary>The pepper version new keys are hashed with (0: plain SHA-256).</summary>
    public int PepperVersion { get; }

    /// <summary>
    /// The hasher for <see cref="ServerOptions.IngestKeyPeppers"/> and <see cref="ServerOptions.IngestKeyPepperVersion"/>
    /// (plain SHA-256 when no pepper is configured).
    /// </summary>
    /// <exception cref="ArgumentException">A pepper is too short or has a version below 1, or the chosen version is not configured; the message names the option.</exception>
    public static ApiKeyHasher CreateHasher(ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new ApiKeyHasher(options.IngestKeyPeppers, options.IngestKeyPepperVersion,
            ServerOptions.SectionName + ":IngestKeyPeppers", ServerOptions.SectionName + ":IngestKeyPepperVersion");
    }

    /// <summary>
    /// Opens the ingest keys of <paramref name="store"/>'s database (creating table <see cref="Table"/> when missing)
    /// and imports the legacy keys not imported yet.
    /// </summary>
    /// <param name="store">The server's store.</param>
    /// <param name="cacheDuration">How long looked-up keys are cached (default <see cref="DefaultCacheDuration"/>).</param>
    /// <param name="timeProvider">The clock (default: system).</param>
    /// <param name="hasher">Hashes new keys and checks presented ones (default: plain SHA-256, no pepper); see <see cref="CreateHasher"/>.</param>
    /// <param name="cancellationToken">Cancels the import.</param>
    public static async Task<IngestKeyService> OpenAsync(ISightlineStore store, TimeSpan? cacheDuration = null, TimeProvider? timeProvider = null, ApiKeyHasher? hasher = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        IApiKeyStore keys = store switch
        {
            SqliteStore sqlite => new SqliteApiKeyStore(sqlite.ConnectionString, Table),
            PostgresStore postgres => new PostgreSqlApiKeyStore(postgres.DataSource, Table),
            _ => throw new NotSupportedException($"Ingest keys need the server's SQLite or PostgreSQL store, not {store.GetType().Name}."),
        };
        var legacy = store.GetLegacyIngestKeys();
        var service = new IngestKeyService(keys, legacy.Select(static k => k.KeyId), cacheDuration ?? DefaultCacheDuration, timeProvider ?? TimeProvider.System, hasher ?? ApiKeyHasher.Unpeppered);
        await service.ImportAsync(legacy, cancellationToken).ConfigureAwait(false);
        return service;
    }

    /// <summary>Issues a key for <paramref name="projectId"/>. The full key is in the result only.</summary>
    public async Task<IngestKeyCreated> CreateAsync(long projectId, string? name = null, CancellationToken cancellationToken = default)
    {
        var created = await _manager.CreateAsync(new ApiKeyCreateRequest
        {
            Name = string.IsNullOrWhiteSpace(name) ? DefaultName : name.Trim(),
            ConsumerId = ConsumerOf(projectId),
            Scopes = [Scope],
        }, cancellationToken).ConfigureAwait(false);
        return new IngestKeyCreated(created.Key, Row(created.Record));
    }

    /// <summary>The project's keys (revoked and expired included), newest first.</summary>
    public async Task<IReadOnlyList<IngestKeyRow>> ListAsync(long projectId, CancellationToken cancellationToken = default)
    {
        var records = await _manager.ListAsync(ConsumerOf(projectId), cancellationToken).ConfigureAwait(false);
        var rows = new List<IngestKeyRow>(records.Count);
        for (var i = records.Count - 1; i >= 0; i--)
        {
            if (records[i].Prefix == Prefix) rows.Add(Row(records[i]));
        }
        return rows;
    }

    /// <summary>
    /// Issues a replacement for key <paramref name="keyId"/> of <paramref name="projectId"/> (always in the current
    /// format, also for a legacy key); the old key keeps working for <paramref name="gracePeriod"/> (zero: stops at once).
    /// Null when the key is unknown, of another project, revoked or expired.
    /// </summary>
    public async Task<IngestKeyCreated?> RotateAsync(long projectId, string keyId, TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(projectId, keyId, cancellationToken).ConfigureAwait(false) is null) return null;
        var created = await _manager.RotateAsync(keyId, gracePeriod, cancellationToken).ConfigureAwait(false);
        _legacyCache.TryRemove(keyId, out _);
        if (created is null) return null;
        var record = created.Record;
        if (_legacyIds.Contains(keyId) && record.Name == LegacyName)
            record = await _manager.UpdateAsync(record.Id, new ApiKeyUpdate { Name = DefaultName }, cancellationToken).ConfigureAwait(false) ?? record;
        return new IngestKeyCreated(created.Key, Row(record));
    }

    /// <summary>Revokes key <paramref name="keyId"/> of <paramref name="projectId"/>; false when unknown, of another project or already revoked.</summary>
    public async Task<bool> RevokeAsync(long projectId, string keyId, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(projectId, keyId, cancellationToken).ConfigureAwait(false) is not { IsRevoked: false }) return false;
        var revoked = await _manager.RevokeAsync(keyId, cancellationToken).ConfigureAwait(false);
        _legacyCache.TryRemove(keyId, out _);
        return revoked;
    }

    /// <summary>
    /// The project a presented key ingests into, or null: missing, malformed (checked before any lookup), unknown,
    /// wrong secret, revoked, expired, or without the <see cref="Scope"/> scope.
    /// </summary>
    public ValueTask<long?> ValidateAsync(string? presented, IPAddress? client, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presented)) return new((long?)null);
        if (LegacyIngestKeyFormat.TryParse(presented, out var legacyId))
            return _legacyLookup.TryGetValue(legacyId, out var id) ? ValidateLegacyAsync(presented, id, cancellationToken) : new((long?)null);
        var pending = _verifier.VerifyAsync(presented, client, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(ProjectOf(pending.Result)) : AwaitAsync(pending);

        static async ValueTask<long?> AwaitAsync(ValueTask<ApiKeyVerification> pending) => ProjectOf(await pending.ConfigureAwait(false));
    }

    /// <summary>Writes the last-used times collected since the previous call (one batch; the server calls it every 10 s and on shutdown).</summary>
    public async Task FlushLastUsedAsync(CancellationToken cancellationToken = default)
    {
        await _verifier.FlushLastUsedAsync(cancellationToken).ConfigureAwait(false);
        if (_legacyUsed.IsEmpty) return;
        var batch = new List<KeyValuePair<string, DateTimeOffset>>();
        foreach (var entry in _legacyUsed)
        {
            if (_legacyUsed.TryRemove(entry)) batch.Add(new(entry.Key, new DateTimeOffset(entry.Value, TimeSpan.Zero)));
        }
        await _store.UpdateLastUsedAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    private static long? ProjectOf(ApiKeyVerification verification) =>
        verification.Succeeded && verification.HasScope(Scope)
        && long.TryParse(verification.ConsumerId, NumberStyles.None, CultureInfo.InvariantCulture, out var project) ? project : null;

    private async ValueTask<long?> ValidateLegacyAsync(string presented, string id, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!_legacyCache.TryGetValue(id, out var entry) || entry.ExpiresAtTicks <= now.UtcTicks)
        {
            // The set of legacy ids is fixed (nothing issues them any more), so this cache is bounded by it.
            var record = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
            entry = new LegacyEntry(record, now.UtcTicks + CacheDuration.Ticks);
            _legacyCache[id] = entry;
        }
        var r = entry.Record;
        // The legacy hash is SHA-256 of the whole key, which is what ApiKeyHasher computes without pepper: constant-time compare.
        if (r is null || r.Prefix != Prefix || !ApiKeyHasher.Unpeppered.Verify(presented, r.Hash, r.PepperVersion)) return null;
        if (r.IsRevoked || r.ExpiresAt <= now || !r.Scopes.Contains(Scope)) return null;
        if (!long.TryParse(r.ConsumerId, NumberStyles.None, CultureInfo.InvariantCulture, out var project)) return null;
        _legacyUsed[id] = now.UtcTicks;
        return project;
    }

    private async Task<ApiKeyRecord?> FindAsync(long projectId, string keyId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(keyId)) return null;
        var record = await _manager.GetAsync(keyId, cancellationToken).ConfigureAwait(false);
        return record is not null && record.Prefix == Prefix && record.ConsumerId == ConsumerOf(projectId) ? record : null;
    }

    private async Task ImportAsync(IReadOnlyList<LegacyIngestKey> legacy, CancellationToken cancellationToken)
    {
        foreach (var key in legacy)
        {
            if (await _store.FindAsync(key.KeyId, cancellationToken).ConfigureAwait(false) is not null) continue;
            var record = new ApiKeyRecord
            {
                Id = key.KeyId,
                Prefix = Prefix,
                Hash = key.Hash,
                PepperVersion = 0,
                Name = LegacyName,
                ConsumerId = ConsumerOf(key.ProjectId),
                Scopes = [Scope],
                CreatedAt = key.Created,
                RevokedAt = key.Revoked ? _time.GetUtcNow() : null,
            };
            try
            {
                await _store.CreateAsync(record, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Another server (or the sightline tool) imported it at the same moment.
            }
        }
    }

    private IngestKeyRow Row(ApiKeyRecord r)
    {
        var now = _time.GetUtcNow();
        var state = r.IsRevoked ? "revoked" : r.ExpiresAt <= now ? "expired" : r.ExpiresAt is not null ? "expiring" : "active";
        return new IngestKeyRow(r.Id, r.DisplayPrefix, r.Name, r.CreatedAt, r.LastUsedAt, r.ExpiresAt, r.IsRevoked, state, _legacyIds.Contains(r.Id), r.ReplacedBy);
    }

    private static string ConsumerOf(long projectId) => projectId.ToString(CultureInfo.InvariantCulture);

    private sealed record LegacyEntry(ApiKeyRecord? Record, long ExpiresAtTicks);
}
