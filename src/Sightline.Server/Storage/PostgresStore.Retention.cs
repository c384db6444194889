using System.Globalization;
using Npgsql;

namespace Sightline.Server.Storage;

public sealed partial class PostgresStore
{
    /// <summary>
    /// Drops whole day partitions of raw records that end at or before <paramref name="recordsBefore"/>
    /// (detached concurrently first, so ingest and queries are not blocked; granularity one UTC day),
    /// deletes expired rollups, applied-item ids and security events in chunks, and creates the
    /// partitions of the coming days. Only one server runs it at a time (advisory lock); the others skip.
    /// Returns the rows removed.
    /// </summary>
    public async Task<int> ApplyRetentionAsync(DateTimeOffset recordsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken)
    {
        var today = DayOf(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        await EnsurePartitionsAsync([today, today + DayMs, today + 2 * DayMs, today + 3 * DayMs], cancellationToken).ConfigureAwait(false);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (var tryLock = Command(connection, "SELECT pg_try_advisory_lock(@k)"))
        {
            tryLock.Parameters.AddWithValue("k", RetentionLock);
            if (await tryLock.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not true) return 0;
        }
        try
        {
            var deleted = 0L;
            var cutoff = recordsBefore.ToUnixTimeMilliseconds();
            foreach (var (name, attached) in await ListPartitionsAsync(connection, cancellationToken).ConfigureAwait(false))
            {
                if (!DateTimeOffset.TryParseExact(name["records_d".Length..], "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var day)) continue;
                var dayStart = day.ToUnixTimeMilliseconds();
                if (dayStart + DayMs > cutoff) continue;
                await using (var count = Command(connection, $"SELECT count(*) FROM {name}"))
                    deleted += (long)(await count.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                if (attached) await DetachAsync(connection, name, cancellationToken).ConfigureAwait(false);
                await using (var drop = Command(connection, $"DROP TABLE IF EXISTS {name}"))
                    await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _knownPartitions.TryRemove(dayStart, out _);
            }
            deleted += await DeleteInChunksAsync(connection, "rollups", "minute", rollupsBefore, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteInChunksAsync(connection, "applied_items", "ts", recordsBefore, cancellationToken).ConfigureAwait(false);
            deleted += await DeleteInChunksAsync(connection, "security_events", "ts", recordsBefore, cancellationToken).ConfigureAwait(false);
            deleted += await ApplyDashboardRetentionAsync(connection, recordsBefore, rollupsBefore, cancellationToken).ConfigureAwait(false);
            return (int)Math.Min(int.MaxValue, deleted);
        }
        finally
        {
            await using var unlock = Command(connection, "SELECT pg_advisory_unlock(@k)");
            unlock.Parameters.AddWithValue("k", RetentionLock);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Record partitions by name (<c>records_dYYYYMMDD</c>), also ones left detached by an interrupted retention pass.</summary>
    private static async Task<List<(string Name, bool Attached)>> ListPartitionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var query = new NpgsqlCommand("""
            SELECT c.relname, c.relispartition FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname ~ '^records_d[0-9]{8}$'
            ORDER BY c.relname
            """, connection);
        var result = new List<(string, bool)>();
        await using var reader = await query.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) result.Add((reader.GetString(0), reader.GetBoolean(1)));
        return result;
    }

    private static async Task DetachAsync(NpgsqlConnection connection, string name, CancellationToken ct)
    {
        try
        {
            // CONCURRENTLY (PostgreSQL 14+) takes no lock that blocks inserts into or reads of the other partitions.
            await using var detach = new NpgsqlCommand($"ALTER TABLE records DETACH PARTITION {name} CONCURRENTLY", connection);
            await detach.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            // A previous detach was interrupted and left the partition "pending detach": finish it.
            await using var finalize = new NpgsqlCommand($"ALTER TABLE records DETACH PARTITION {name} FINALIZE", connection);
            await finalize.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
    }

    private static async Task<long> DeleteInChunksAsync(NpgsqlConnection connection, string table, string column, DateTimeOffset before, CancellationToken ct)
    {
        long deleted = 0;
        while (!ct.IsCancellationRequested)
        {
            // Table and column names are constants of this class; the cut-off is a parameter.
            await using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE ctid IN (SELECT ctid FROM {table} WHERE {column} < @t LIMIT 5000)", connection);
            delete.Parameters.AddWithValue("t", before.ToUnixTimeMilliseconds());
            var n = await delete.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            deleted += n;
            if (n < 5000) break;
        }
        return deleted;
    }
}
