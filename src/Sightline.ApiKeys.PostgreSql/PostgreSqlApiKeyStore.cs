using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Sightline.ApiKeys.PostgreSql;

/// <summary>
/// Keys in a PostgreSQL table (<c>sightline_api_keys</c> by default, created if missing under an advisory lock so
/// instances starting together do not race), shared by every app instance, the <c>sightline</c> tool and the
/// Sightline server.
/// </summary>
public sealed partial class PostgreSqlApiKeyStore : IApiKeyStore, IAsyncDisposable, IDisposable
{
    /// <summary>The default table name.</summary>
    public const string DefaultTable = "sightline_api_keys";

    private const string Columns = "id, prefix, hash, pepper_version, name, consumer_id, consumer_name, consumer_group, scopes, allowed_networks, created_at, expires_at, last_used_at, revoked_at, rate_limit_permits, rate_limit_window_ms, replaced_by";

    private readonly NpgsqlDataSource _dataSource;
    private readonly bool _ownsDataSource;
    private readonly string _table;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Uses the database at <paramref name="connectionString"/>.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="table">The table name, optionally schema-qualified (<c>schema.table</c>). Default: <c>sightline_api_keys</c>.</param>
    public PostgreSqlApiKeyStore(string connectionString, string table = DefaultTable)
        : this(NpgsqlDataSource.Create(connectionString), table, ownsDataSource: true)
    {
    }

    /// <summary>Uses an existing data source (not disposed by this store).</summary>
    public PostgreSqlApiKeyStore(NpgsqlDataSource dataSource, string table = DefaultTable) : this(dataSource, table, ownsDataSource: false)
    {
    }

    private PostgreSqlApiKeyStore(NpgsqlDataSource dataSource, string table, bool ownsDataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (!TableName().IsMatch(table)) throw new ArgumentException($"Table name '{table}' is invalid: use letters, digits and underscores, optionally schema.table.", nameof(table));
        _dataSource = dataSource;
        _ownsDataSource = ownsDataSource;
        _table = table;
    }

    /// <inheritdoc />
    public async ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM {_table} WHERE id = @id");
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default)
    {
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"SELECT {Columns} FROM {_table}" + (consumerId is null ? "" : " WHERE consumer_id = @consumer") + " ORDER BY created_at, id");
        if (consumerId is not null) command.Parameters.AddWithValue("consumer", consumerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
        return list;
    }

    /// <inheritdoc />
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand(
            $"INSERT INTO {_table} ({Columns}) VALUES (@id, @prefix, @hash, @pepper, @name, @cid, @cname, @cgroup, @scopes, @networks, @created, @expires, @lastUsed, @revoked, @permits, @window, @replacedBy)");
        Bind(command, record);
        command.Parameters.AddWithValue("prefix", record.Prefix);
        command.Parameters.AddWithValue("hash", record.Hash);
        command.Parameters.AddWithValue("pepper", record.PepperVersion);
        command.Parameters.AddWithValue("created", record.CreatedAt.ToUniversalTime());
        command.Parameters.Add(Time("lastUsed", record.LastUsedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new InvalidOperationException($"An API key with id '{record.Id}' already exists.", e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_table} SET name = @name, consumer_id = @cid, consumer_name = @cname, consumer_group = @cgroup, scopes = @scopes,
              allowed_networks = @networks, expires_at = @expires, revoked_at = @revoked, rate_limit_permits = @permits,
              rate_limit_window_ms = @window, replaced_by = @replacedBy
            WHERE id = @id
            """);
        Bind(command, record);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.Count == 0) return;
        await EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        // One statement for the whole batch; a stored time only moves forward, whatever order instances write in.
        await using var command = _dataSource.CreateCommand($"""
            UPDATE {_table} AS k SET last_used_at = u.at
            FROM (SELECT id, max(at) AS at FROM unnest(@ids, @ats) AS x(id, at) GROUP BY id) AS u
            WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)
            """);
        var ids = new string[usage.Count];
        var ats = new DateTime[usage.Count];
        for (var i = 0; i < usage.Count; i++)
        {
            ids[i] = usage[i].Key;
            ats[i] = usage[i].Value.UtcDateTime;
        }
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, ats);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_ownsDataSource) await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsDataSource) _dataSource.Dispose();
    }

    private static void Bind(NpgsqlCommand command, ApiKeyRecord record)
    {
        var p = command.Parameters;
        p.AddWithValue("id", record.Id);
        p.AddWithValue("name", record.Name);
        p.Add(new NpgsqlParameter("cid", NpgsqlDbType.Text) { Value = (object?)record.ConsumerId ?? DBNull.Value });
        p.Add(new NpgsqlParameter("cname", NpgsqlDbType.Text) { Value = (object?)record.ConsumerName ?? DBNull.Value });
        p.Add(new NpgsqlParameter("cgroup", NpgsqlDbType.Text) { Value = (object?)record.ConsumerGroup ?? DBNull.Value });
        p.AddWithValue("scopes", record.Scopes);
        p.AddWithValue("networks", record.AllowedNetworks);
        p.Add(Time("expires", record.ExpiresAt));
        p.Add(Time("revoked", record.RevokedAt));
        p.Add(new NpgsqlParameter("permits", NpgsqlDbType.Integer) { Value = (object?)record.RateLimit?.PermitLimit ?? DBNull.Value });
        p.Add(new NpgsqlParameter("window", NpgsqlDbType.Bigint) { Value = (object?)(long?)record.RateLimit?.Window.TotalMilliseconds ?? DBNull.Value });
        p.Add(new NpgsqlParameter("replacedBy", NpgsqlDbType.Text) { Value = (object?)record.ReplacedBy ?? DBNull.Value });
    }

    private static NpgsqlParameter Time(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.UtcDateTime : DBNull.Value };

    private static DateTimeOffset? Time(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(ordinal), TimeSpan.Zero);

    private static string? Text(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static ApiKeyRecord Read(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0),
        Prefix = r.GetString(1),
        Hash = r.GetFieldValue<byte[]>(2),
        PepperVersion = r.GetInt32(3),
        Name = r.GetString(4),
        ConsumerId = Text(r, 5),
        ConsumerName = Text(r, 6),
        ConsumerGroup = Text(r, 7),
        Scopes = r.GetFieldValue<string[]>(8),
        AllowedNetworks = r.GetFieldValue<string[]>(9),
        CreatedAt = Time(r, 10)!.Value,
        ExpiresAt = Time(r, 11),
        LastUsedAt = Time(r, 12),
        RevokedAt = Time(r, 13),
        RateLimit = r.IsDBNull(14) ? null : new ApiKeyRateLimit(r.GetInt32(14), TimeSpan.FromMilliseconds(r.GetInt64(15))),
        ReplacedBy = Text(r, 16),
    };

    private async ValueTask EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady) return;
        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady) return;
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            var indexName = "ix_" + _table.Replace('.', '_') + "_consumer";
            await using (var command = new NpgsqlCommand($"""
                SELECT pg_advisory_xact_lock(hashtext('{_table}'));
                CREATE TABLE IF NOT EXISTS {_table} (
                  id text NOT NULL PRIMARY KEY,
                  prefix text NOT NULL,
                  hash bytea NOT NULL,
                  pepper_version integer NOT NULL,
                  name text NOT NULL,
                  consumer_id text NULL,
                  consumer_name text NULL,
                  consumer_group text NULL,
                  scopes text[] NOT NULL,
                  allowed_networks text[] NOT NULL,
                  created_at timestamptz NOT NULL,
                  expires_at timestamptz NULL,
                  last_used_at timestamptz NULL,
                  revoked_at timestamptz NULL,
                  rate_limit_permits integer NULL,
                  rate_limit_window_ms bigint NULL,
                  replaced_by text NULL
                );
                CREATE INDEX IF NOT EXISTS {indexName} ON {_table} (consumer_id);
                """, connection, transaction))
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    [GeneratedRegex("^([A-Za-z_][A-Za-z0-9_]{0,62}\\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
