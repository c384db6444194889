using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Sightline.ApiKeys.Sqlite;

/// <summary>
/// Keys in a SQLite database file (table <c>sightline_api_keys</c> by default, created if missing), so several
/// processes on one machine — app instances, the <c>sightline</c> tool, the Sightline server — share them. Times are
/// stored as Unix milliseconds (UTC); scopes and networks as space-separated text.
/// </summary>
public sealed partial class SqliteApiKeyStore : IApiKeyStore
{
    /// <summary>The default table name.</summary>
    public const string DefaultTable = "sightline_api_keys";

    private const string Columns = "id, prefix, hash, pepper_version, name, consumer_id, consumer_name, consumer_group, scopes, allowed_networks, created_at, expires_at, last_used_at, revoked_at, rate_limit_permits, rate_limit_window_ms, replaced_by";

    private readonly string _connectionString;
    private readonly string _table;
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private volatile bool _schemaReady;

    /// <summary>Uses the database at <paramref name="connectionString"/> (e.g. <c>Data Source=/var/lib/app/keys.db</c>).</summary>
    /// <param name="connectionString">A Microsoft.Data.Sqlite connection string.</param>
    /// <param name="table">The table name (letters, digits, underscores). Default: <c>sightline_api_keys</c>.</param>
    public SqliteApiKeyStore(string connectionString, string table = DefaultTable)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (!TableName().IsMatch(table)) throw new ArgumentException($"Table name '{table}' is invalid: use letters, digits and underscores.", nameof(table));
        _ = new SqliteConnectionStringBuilder(connectionString);
        _connectionString = connectionString;
        _table = table;
    }

    /// <inheritdoc />
    public async ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {_table} WHERE id = $id";
        command.Parameters.AddWithValue("$id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM {_table}" + (consumerId is null ? "" : " WHERE consumer_id = $consumer") + " ORDER BY created_at, id";
        if (consumerId is not null) command.Parameters.AddWithValue("$consumer", consumerId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var list = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) list.Add(Read(reader));
        return list;
    }

    /// <inheritdoc />
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO {_table} ({Columns}) VALUES ($id, $prefix, $hash, $pepper, $name, $cid, $cname, $cgroup, $scopes, $networks, $created, $expires, $lastUsed, $revoked, $permits, $window, $replacedBy)";
        Bind(command, record);
        command.Parameters.AddWithValue("$prefix", record.Prefix);
        command.Parameters.AddWithValue("$hash", record.Hash);
        command.Parameters.AddWithValue("$pepper", record.PepperVersion);
        command.Parameters.AddWithValue("$created", record.CreatedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$lastUsed", Ms(record.LastUsedAt));
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 19) // SQLITE_CONSTRAINT
        {
            throw new InvalidOperationException($"An API key with id '{record.Id}' already exists.", e);
        }
    }

    /// <inheritdoc />
    public async Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            UPDATE {_table} SET name = $name, consumer_id = $cid, consumer_name = $cname, consumer_group = $cgroup, scopes = $scopes,
              allowed_networks = $networks, expires_at = $expires, revoked_at = $revoked, rate_limit_permits = $permits,
              rate_limit_window_ms = $window, replaced_by = $replacedBy
            WHERE id = $id
            """;
        Bind(command, record);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
    }

    /// <inheritdoc />
    public async Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        if (usage.Count == 0) return;
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"UPDATE {_table} SET last_used_at = $at WHERE id = $id AND (last_used_at IS NULL OR last_used_at < $at)";
        var id = command.Parameters.Add("$id", SqliteType.Text);
        var at = command.Parameters.Add("$at", SqliteType.Integer);
        foreach (var (keyId, time) in usage)
        {
            id.Value = keyId;
            at.Value = time.ToUnixTimeMilliseconds();
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Bind(SqliteCommand command, ApiKeyRecord record)
    {
        var p = command.Parameters;
        p.AddWithValue("$id", record.Id);
        p.AddWithValue("$name", record.Name);
        p.AddWithValue("$cid", (object?)record.ConsumerId ?? DBNull.Value);
        p.AddWithValue("$cname", (object?)record.ConsumerName ?? DBNull.Value);
        p.AddWithValue("$cgroup", (object?)record.ConsumerGroup ?? DBNull.Value);
        p.AddWithValue("$scopes", string.Join(' ', record.Scopes));
        p.AddWithValue("$networks", string.Join(' ', record.AllowedNetworks));
        p.AddWithValue("$expires", Ms(record.ExpiresAt));
        p.AddWithValue("$revoked", Ms(record.RevokedAt));
        p.AddWithValue("$permits", (object?)record.RateLimit?.PermitLimit ?? DBNull.Value);
        p.AddWithValue("$window", (object?)(long?)record.RateLimit?.Window.TotalMilliseconds ?? DBNull.Value);
        p.AddWithValue("$replacedBy", (object?)record.ReplacedBy ?? DBNull.Value);
    }

    private static object Ms(DateTimeOffset? time) => time is { } t ? t.ToUnixTimeMilliseconds() : DBNull.Value;

    private static DateTimeOffset? Time(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static ApiKeyRecord Read(SqliteDataReader r) => new()
    {
        Id = r.GetString(0),
        Prefix = r.GetString(1),
        Hash = (byte[])r.GetValue(2),
        PepperVersion = r.GetInt32(3),
        Name = r.GetString(4),
        ConsumerId = Text(r, 5),
        ConsumerName = Text(r, 6),
        ConsumerGroup = Text(r, 7),
        Scopes = Words(r.GetString(8)),
        AllowedNetworks = Words(r.GetString(9)),
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(10)),
        ExpiresAt = Time(r, 11),
        LastUsedAt = Time(r, 12),
        RevokedAt = Time(r, 13),
        RateLimit = r.IsDBNull(14) ? null : new ApiKeyRateLimit(r.GetInt32(14), TimeSpan.FromMilliseconds(r.GetInt64(15))),
        ReplacedBy = Text(r, 16),
    };

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            if (!_schemaReady) await EnsureSchemaAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task EnsureSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await _schemaGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_schemaReady) return;
            await using var command = connection.CreateCommand();
            command.CommandText = $"""
                CREATE TABLE IF NOT EXISTS {_table} (
                  id TEXT NOT NULL PRIMARY KEY,
                  prefix TEXT NOT NULL,
                  hash BLOB NOT NULL,
                  pepper_version INTEGER NOT NULL,
                  name TEXT NOT NULL,
                  consumer_id TEXT NULL,
                  consumer_name TEXT NULL,
                  consumer_group TEXT NULL,
                  scopes TEXT NOT NULL,
                  allowed_networks TEXT NOT NULL,
                  created_at INTEGER NOT NULL,
                  expires_at INTEGER NULL,
                  last_used_at INTEGER NULL,
                  revoked_at INTEGER NULL,
                  rate_limit_permits INTEGER NULL,
                  rate_limit_window_ms INTEGER NULL,
                  replaced_by TEXT NULL
                );
                CREATE INDEX IF NOT EXISTS ix_{_table}_consumer ON {_table} (consumer_id);
                """;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            _schemaReady = true;
        }
        finally
        {
            _schemaGate.Release();
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex TableName();
}
