using System.Collections.Concurrent;
using System.Globalization;
using Npgsql;
using Sightline.Server.Security;

namespace Sightline.Server.Storage;

/// <summary>
/// The scale-out store: PostgreSQL through Npgsql. Raw records live in a table partitioned by UTC
/// day (created ahead and on demand, dropped whole by retention); records are bulk-written with
/// one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c> per batch (the columns as binary
/// arrays), so a retried batch never double-counts; rollups merge histograms additively, once
/// per metrics snapshot id. The store keeps no state that must be global: several servers can
/// share one database (what they hold in memory is a cache of partitions known to exist and a
/// count of their own in-flight writes). Every query is parameterized.
/// </summary>
public sealed partial class PostgresStore : ISightlineStore
{
    private const long DayMs = 86_400_000;
    /// <summary>Advisory lock serializing partition DDL between servers ("SLPARTIT").</summary>
    private const long PartitionLock = 0x534C_5041_5254_4954;
    /// <summary>Advisory lock so only one server runs retention at a time ("SLRETAIN").</summary>
    private const long RetentionLock = 0x534C_5245_5441_494E;
    private static readonly int s_latencyLength = Sightline.Protocol.Wire.HistogramBuckets.LatencyMs.Length + 1;
    private static readonly int s_sizeLength = Sightline.Protocol.Wire.HistogramBuckets.SizeBytes.Length + 1;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ConcurrentDictionary<long, bool> _knownPartitions = new();
    private int _pending;

    /// <summary>
    /// Connects with <paramref name="connectionString"/> (Npgsql format), applies missing schema
    /// migrations under an advisory lock and creates the record partitions of the coming days.
    /// </summary>
    public PostgresStore(string connectionString)
    {
        _dataSource = NpgsqlDataSource.Create(connectionString);
        PostgresMigrations.Apply(_dataSource);
        EnsurePartitionsAhead();
    }

    /// <summary>This server's ingest writes in flight (for backpressure; each server counts its own).</summary>
    public int PendingWrites => Volatile.Read(ref _pending);

    internal NpgsqlDataSource DataSource => _dataSource;

    private NpgsqlCommand Command(NpgsqlConnection connection, string sql, NpgsqlTransaction? tx = null) => new(sql, connection, tx);

    /// <summary>Checks the database answers and is migrated (for /readyz).</summary>
    public bool IsReady()
    {
        try
        {
            using var connection = _dataSource.OpenConnection();
            using var command = Command(connection, "SELECT max(version) FROM schema_migrations");
            return command.ExecuteScalar() is int;
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            return false;
        }
    }

    // ---- projects, keys, users ----

    /// <summary>Returns the id of project <paramref name="name"/>, creating it when missing (safe when several servers race).</summary>
    public (long Id, bool Created) EnsureProject(string name)
    {
        using var connection = _dataSource.OpenConnection();
        using (var insert = Command(connection, "INSERT INTO projects (name, created) VALUES (@n, @c) ON CONFLICT (name) DO NOTHING RETURNING id"))
        {
            insert.Parameters.AddWithValue("n", name);
            insert.Parameters.AddWithValue("c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (insert.ExecuteScalar() is long id) return (id, true);
        }
        using var find = Command(connection, "SELECT id FROM projects WHERE name = @n");
        find.Parameters.AddWithValue("n", name);
        return ((long)find.ExecuteScalar()!, false);
    }

    /// <summary>Creates user <paramref name="username"/> when missing; true when created.</summary>
    public bool EnsureUser(string username, string password)
    {
        using var connection = _dataSource.OpenConnection();
        using var insert = Command(connection, "INSERT INTO users (username, password_hash, created) VALUES (@u, @h, @c) ON CONFLICT (username) DO NOTHING");
        insert.Parameters.AddWithValue("u", username);
        insert.Parameters.AddWithValue("h", PasswordHasher.Hash(password));
        insert.Parameters.AddWithValue("c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return insert.ExecuteNonQuery() == 1;
    }

    /// <summary>True when the user exists and the password matches its hash.</summary>
    public bool VerifyUser(string username, string password)
    {
        using var connection = _dataSource.OpenConnection();
        using var find = Command(connection, "SELECT password_hash FROM users WHERE username = @u");
        find.Parameters.AddWithValue("u", username);
        return find.ExecuteScalar() is string hash && PasswordHasher.Verify(password, hash);
    }

    // ---- partitions ----

    /// <summary>The partition holding UTC day <paramref name="dayStartMs"/> (a name built from a number, never from input).</summary>
    internal static string PartitionName(long dayStartMs)
        => "records_d" + DateTimeOffset.FromUnixTimeMilliseconds(dayStartMs).ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static long DayOf(long ts) => ts - ((ts % DayMs) + DayMs) % DayMs;

    private void EnsurePartitionsAhead()
    {
        var today = DayOf(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        EnsurePartitionsAsync([today - DayMs, today, today + DayMs, today + 2 * DayMs, today + 3 * DayMs], CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Creates the day partitions of <paramref name="days"/> that this server has not seen yet (DDL serialized between servers by an advisory lock).</summary>
    private async Task EnsurePartitionsAsync(IEnumerable<long> days, CancellationToken cancellationToken)
    {
        List<long>? missing = null;
        foreach (var day in days)
            if (!_knownPartitions.ContainsKey(day)) (missing ??= []).Add(day);
        if (missing is null) return;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var lockCommand = Command(connection, "SELECT pg_advisory_xact_lock(@k)", tx))
        {
            lockCommand.Parameters.AddWithValue("k", PartitionLock);
            await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var day in missing.Distinct().Order())
        {
            // DDL takes no parameters: the name and bounds are formatted from integers computed here.
            var sql = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {PartitionName(day)} PARTITION OF records FOR VALUES FROM ({day}) TO ({day + DayMs})");
            await using var create = Command(connection, sql, tx);
            await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var day in missing) _knownPartitions[day] = true;
    }

    /// <summary>Closes the connection pool.</summary>
    public void Dispose() => _dataSource.Dispose();
}
