using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using Sightline.Server.Query;
using Sightline.Server.Security;

namespace Sightline.Server.Storage;

/// <summary>
/// The embedded store: one SQLite file in WAL mode. Writes go through a single writer (SQLite
/// allows one at a time) in one transaction per ingest batch, so a 2xx means the batch is on disk;
/// reads use their own connections and run beside the writer. Every query is parameterized.
/// </summary>
public sealed partial class SqliteStore : ISightlineStore
{
    private static readonly int s_latencyLength = HistogramBuckets.LatencyMs.Length + 1;
    private static readonly int s_sizeLength = HistogramBuckets.SizeBytes.Length + 1;
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private int _waiting;
    private const int GroupCommitRecords = 20_000;
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingBatch> _queue = new();
    private SqliteConnection? _writeConnection;
    private SqliteRecordInsert? _recordInsert;
    private readonly SqliteCheckpointer _checkpointer;

    /// <summary>Opens (and creates when missing) the store at <paramref name="path"/>.</summary>
    public SqliteStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private, Pooling = true }.ToString();
        _checkpointer = new SqliteCheckpointer(Open);
        using var connection = Open();
        // A new file gets 16 KiB pages (SQLite's default is 4 KiB): a ~1.3 KiB record then fits
        // 12 to a page instead of 3, a record with 2 KiB bodies fits one page instead of overflowing
        // into three, and the B-trees have fewer pages to split and to write into the WAL. A no-op
        // for an existing file, which keeps its page size.
        Execute(connection, "PRAGMA page_size = 16384;");
        Execute(connection, Schema.Sql);
        Upgrade(connection);
        Execute(connection, DashboardSchemaSql);
    }

    /// <summary>
    /// Applies the <see cref="Schema.Upgrades"/> the file lacks. Each runs in a write (IMMEDIATE) transaction that
    /// re-reads the version first, so two servers opening one file at once apply it once.
    /// </summary>
    private static void Upgrade(SqliteConnection connection)
    {
        foreach (var (version, sql) in Schema.Upgrades)
        {
            using var tx = connection.BeginTransaction(deferred: false);
            using (var current = Command(connection, "SELECT MAX(version) FROM schema_version", tx))
            {
                if ((long)current.ExecuteScalar()! >= version) { tx.Commit(); continue; }
            }
            Execute(connection, sql, tx);
            using (var set = Command(connection, "UPDATE schema_version SET version = $v", tx))
            {
                set.Parameters.AddWithValue("$v", version);
                set.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>Writers waiting for the single writer (for backpressure).</summary>
    public int PendingWrites => Volatile.Read(ref _waiting);

    /// <summary>The single writer's connection: its checkpoints run on <see cref="_checkpointer"/>'s thread; its own automatic one (explicit here) is what lets the WAL restart.</summary>
    private SqliteConnection OpenWriter()
    {
        var connection = Open();
        Execute(connection, $"PRAGMA wal_autocheckpoint = {SqliteCheckpointer.WriterAutoCheckpointPages};");
        return connection;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // synchronous is per connection: FULL makes each commit durable (fsync of the WAL), as a 2xx promises.
        Execute(connection, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? tx = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        return command;
    }

    /// <summary>Checks the store can be read (for /readyz).</summary>
    public bool IsReady()
    {
        try
        {
            using var connection = Open();
            using var command = Command(connection, "SELECT version FROM schema_version");
            return command.ExecuteScalar() is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    // ---- projects, keys, users ----

    /// <summary>Returns the id of project <paramref name="name"/>, creating it when missing.</summary>
    public (long Id, bool Created) EnsureProject(string name)
    {
        using var connection = Open();
        using (var find = Command(connection, "SELECT id FROM projects WHERE name = $n"))
        {
            find.Parameters.AddWithValue("$n", name);
            if (find.ExecuteScalar() is long id) return (id, false);
        }
        using var insert = Command(connection, "INSERT INTO projects (name, created) VALUES ($n, $c) RETURNING id");
        insert.Parameters.AddWithValue("$n", name);
        insert.Parameters.AddWithValue("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return ((long)insert.ExecuteScalar()!, true);
    }

    /// <summary>Creates user <paramref name="username"/> when missing; true when created.</summary>
    public bool EnsureUser(string username, string password)
    {
        using var connection = Open();
        using var insert = Command(connection, "INSERT OR IGNORE INTO users (username, password_hash, created) VALUES ($u, $h, $c)");
        insert.Parameters.AddWithValue("$u", username);
        insert.Parameters.AddWithValue("$h", PasswordHasher.Hash(password));
        insert.Parameters.AddWithValue("$c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        return insert.ExecuteNonQuery() == 1;
    }

    /// <summary>True when the user exists and the password matches its hash.</summary>
    public bool VerifyUser(string username, string password)
    {
        using var connection = Open();
        using var find = Command(connection, "SELECT password_hash FROM users WHERE username = $u");
        find.Parameters.AddWithValue("$u", username);
        return find.ExecuteScalar() is string hash && PasswordHasher.Verify(password, hash);
    }

    // ---- ingest ----

    /// <summary>
    /// Stores a validated batch durably. Items already stored (same id) are skipped, so a retried batch
    /// never double-counts records or metrics. Batches that arrive while the single writer is busy
    /// are written together in one transaction (group commit): the random-id index pages a commit
    /// dirties are then written once for all of them. Each caller returns after the commit that holds
    /// its batch.
    /// </summary>
    public async Task StoreAsync(long projectId, IngestBatch batch, CancellationToken cancellationToken)
    {
        // Encoded (to the UTF-8 that SQLite stores) before taking the single writer, so concurrent requests do this work in parallel.
        var pending = new PendingBatch(projectId, batch, SqliteRecordColumns.Encode(batch));
        _queue.Enqueue(pending);
        Interlocked.Increment(ref _waiting);
        try
        {
            await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!pending.Done.Task.IsCompleted) WriteQueued();
            }
            finally
            {
                _writer.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            await pending.Done.Task.ConfigureAwait(false);
        }
        finally
        {
            pending.Columns.Release(); // Done has completed: the writer is finished with this batch
        }
    }

    /// <summary>Writes every queued batch (up to <see cref="GroupCommitRecords"/> records) in one transaction; on failure, each on its own so one bad batch fails alone.</summary>
    private void WriteQueued()
    {
        var group = new List<PendingBatch>();
        var records = 0;
        while (records < GroupCommitRecords && _queue.TryDequeue(out var next))
        {
            group.Add(next);
            records += next.Batch.Records.Count;
        }
        if (group.Count == 0) return;
        try
        {
            WriteGroup(group);
            foreach (var item in group) item.Done.TrySetResult();
        }
        catch (Exception) when (group.Count > 1)
        {
            foreach (var item in group)
            {
                try
                {
                    WriteGroup([item]);
                    item.Done.TrySetResult();
                }
                catch (Exception e)
                {
                    item.Done.TrySetException(e);
                }
            }
        }
        catch (Exception e)
        {
            group[0].Done.TrySetException(e);
        }
    }

    private void WriteGroup(List<PendingBatch> group)
    {
        try
        {
            // The writer's own connection: its page cache stays warm and its record insert stays prepared between batches.
            var connection = _writeConnection ??= OpenWriter();
            using (var tx = connection.BeginTransaction())
            {
                foreach (var item in group) WriteBatch(connection, tx, item.ProjectId, item.Batch, item.Columns);
                tx.Commit();
            }
        }
        catch
        {
            ResetWriteConnection(); // never reuse a connection in an unknown state
            throw;
        }
        _checkpointer.Request(); // after the commit, and outside the catch: the batch is stored whatever happens here
    }

    private void WriteBatch(SqliteConnection connection, SqliteTransaction tx, long projectId, IngestBatch batch, SqliteRecordColumns columns)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var environment = batch.Service?.Environment ?? "";
        StoreRecords(connection, tx, projectId, batch, columns);
        foreach (var snapshot in batch.Metrics)
        {
            if (!MarkApplied(connection, tx, snapshot.Id, now)) continue;
            var minute = snapshot.PeriodStart.ToUnixTimeMilliseconds() / 60_000 * 60_000;
            foreach (var series in snapshot.Series) AddRollup(connection, tx, projectId, minute, environment, series);
            foreach (var series in snapshot.Series)
            {
                UpsertEndpoint(connection, tx, projectId, series.Method, series.RouteTemplate, "traffic", now);
                if (series.Consumer is { } c) UpsertConsumer(connection, tx, projectId, c, series.ConsumerName, series.ConsumerGroup, now);
            }
        }
        foreach (var heartbeat in batch.Heartbeats)
        {
            if (!MarkApplied(connection, tx, heartbeat.Id, now)) continue;
            var service = heartbeat.Service ?? batch.Service;
            if (service is null) continue;
            using (var upsert = Command(connection, """
                INSERT INTO instances (project_id, instance, service, version, environment, sdk_version, runtime, interval_seconds, last_seen, state)
                VALUES ($p, $i, $s, $v, $e, $sdk, $rt, $int, $ts, $state)
                ON CONFLICT (project_id, instance) DO UPDATE SET last_seen = MAX(last_seen, excluded.last_seen), state = excluded.state,
                    interval_seconds = excluded.interval_seconds, version = excluded.version
                """, tx))
            {
                upsert.Parameters.AddWithValue("$p", projectId);
                upsert.Parameters.AddWithValue("$i", service.Instance);
                upsert.Parameters.AddWithValue("$s", service.Name);
                upsert.Parameters.AddWithValue("$v", (object?)service.Version ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$e", (object?)service.Environment ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$sdk", (object?)service.SdkVersion ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$rt", (object?)service.Runtime ?? DBNull.Value);
                upsert.Parameters.AddWithValue("$int", heartbeat.IntervalSeconds);
                upsert.Parameters.AddWithValue("$ts", heartbeat.Timestamp.ToUnixTimeMilliseconds());
                upsert.Parameters.AddWithValue("$state", heartbeat.Kind == "shutdown" ? "stopped" : "running");
                upsert.ExecuteNonQuery();
            }
            foreach (var route in heartbeat.Routes ?? [])
                UpsertEndpoint(connection, tx, projectId, route.Method, route.Template, "inventory", now);
        }
        var securityEnvironment = batch.Service?.Environment is { Length: > 0 } env ? env : null;
        foreach (var e in batch.SecurityEvents)
        {
            using var insert = Command(connection, """
                INSERT OR IGNORE INTO security_events (id, project_id, ts, kind, reason, key_prefix, client_ip, method, path, environment)
                VALUES ($id, $p, $ts, $k, $r, $kp, $ip, $m, $path, $env)
                """, tx);
            insert.Parameters.AddWithValue("$env", (object?)securityEnvironment ?? DBNull.Value);
            insert.Parameters.AddWithValue("$id", e.Id.ToString());
            insert.Parameters.AddWithValue("$p", projectId);
            insert.Parameters.AddWithValue("$ts", e.Timestamp.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$k", e.Kind);
            insert.Parameters.AddWithValue("$r", e.Reason);
            insert.Parameters.AddWithValue("$kp", (object?)e.KeyPrefix ?? DBNull.Value);
            insert.Parameters.AddWithValue("$ip", (object?)e.ClientIp ?? DBNull.Value);
            insert.Parameters.AddWithValue("$m", (object?)e.Method ?? DBNull.Value);
            insert.Parameters.AddWithValue("$path", (object?)e.Path ?? DBNull.Value);
            insert.ExecuteNonQuery();
        }
    }

    private void ResetWriteConnection()
    {
        _recordInsert?.Dispose();
        _recordInsert = null;
        _writeConnection?.Dispose();
        _writeConnection = null;
    }

    /// <summary>
    /// Inserts the batch's records with one prepared statement; consumers and error groups are summed
    /// over the records that were new and upserted once per consumer and fingerprint.
    /// </summary>
    private void StoreRecords(SqliteConnection connection, SqliteTransaction tx, long projectId, IngestBatch batch, SqliteRecordColumns columns)
    {
        if (batch.Records.Count == 0) return;
        var insert = _recordInsert ??= new SqliteRecordInsert(connection);
        var consumers = new Dictionary<string, (string? Name, string? Group, long Ts)>(StringComparer.Ordinal);
        Dictionary<string, ErrorGroupDelta>? groups = null;
        for (var r = 0; r < batch.Records.Count; r++)
        {
            var record = batch.Records[r];
            var ts = record.Timestamp.ToUnixTimeMilliseconds();
            if (!insert.Insert(projectId, record, ts, columns, r)) continue; // already stored: a retried batch
            OnRecordStored(connection, tx, projectId, batch, record);
            if (record.Consumer is { } consumer) ErrorGroupDelta.MergeConsumer(consumers, consumer.Identifier, consumer.Name, consumer.Group, ts);
            foreach (var error in record.Errors ?? [])
            {
                var key = error.Fingerprint ?? error.Type;
                groups ??= new Dictionary<string, ErrorGroupDelta>(StringComparer.Ordinal);
                if (!groups.TryGetValue(key, out var g)) groups[key] = g = new ErrorGroupDelta(error.Type, ts);
                g.Add(error.Message, ts, record.Id);
            }
        }
        foreach (var (identifier, c) in consumers) UpsertConsumer(connection, tx, projectId, identifier, c.Name, c.Group, c.Ts);
        if (groups is null) return;
        using var group = Command(connection, """
            INSERT INTO error_groups (project_id, fingerprint, type, message, first_seen, last_seen, count, last_record)
            VALUES ($p, $f, $t, $msg, $first, $last, $n, $rec)
            ON CONFLICT (project_id, fingerprint) DO UPDATE SET count = count + excluded.count, first_seen = MIN(first_seen, excluded.first_seen),
                last_seen = MAX(last_seen, excluded.last_seen),
                message = CASE WHEN excluded.last_seen >= last_seen THEN excluded.message ELSE message END,
                last_record = CASE WHEN excluded.last_seen >= last_seen THEN excluded.last_record ELSE last_record END
            """, tx);
        foreach (var (fingerprint, g) in groups)
        {
            group.Parameters.Clear();
            group.Parameters.AddWithValue("$p", projectId);
            group.Parameters.AddWithValue("$f", fingerprint);
            group.Parameters.AddWithValue("$t", g.Type);
            group.Parameters.AddWithValue("$msg", g.Message);
            group.Parameters.AddWithValue("$first", g.FirstSeen);
            group.Parameters.AddWithValue("$last", g.LastSeen);
            group.Parameters.AddWithValue("$n", g.Count);
            group.Parameters.AddWithValue("$rec", g.LastRecord.ToString());
            group.ExecuteNonQuery();
        }
    }

    private static bool MarkApplied(SqliteConnection connection, SqliteTransaction tx, Guid id, long now)
    {
        using var insert = Command(connection, "INSERT OR IGNORE INTO applied_items (id, ts) VALUES ($id, $ts)", tx);
        insert.Parameters.AddWithValue("$id", id.ToString());
        insert.Parameters.AddWithValue("$ts", now);
        return insert.ExecuteNonQuery() == 1;
    }

    private static void AddRollup(SqliteConnection connection, SqliteTransaction tx, long projectId, long minute, string environment, MetricSeries series)
    {
        var consumer = series.Consumer ?? "";
        long[] duration = new long[s_latencyLength], size = new long[s_sizeLength];
        double durationSum = 0, durationMax = 0, requestSum = 0, responseSum = 0;
        long count = 0, errors = 0;
        using (var find = Command(connection, """
            SELECT count, errors, duration_sum, duration_max, duration_counts, request_size_sum, response_size_sum, response_size_counts FROM rollups
            WHERE project_id = $p AND minute = $min AND environment = $env AND route = $r AND method = $m AND status = $s AND consumer = $c
            """, tx))
        {
            AddKey(find);
            using var reader = find.ExecuteReader();
            if (reader.Read())
            {
                count = reader.GetInt64(0);
                errors = reader.GetInt64(1);
                durationSum = reader.GetDouble(2);
                durationMax = reader.GetDouble(3);
                duration = HistogramText.Parse(reader.GetString(4), s_latencyLength);
                requestSum = reader.GetDouble(5);
                responseSum = reader.GetDouble(6);
                size = HistogramText.Parse(reader.GetString(7), s_sizeLength);
            }
        }
        HistogramText.AddInto(duration, series.Duration.Counts);
        HistogramText.AddInto(size, series.ResponseSize.Counts);
        using var upsert = Command(connection, """
            INSERT OR REPLACE INTO rollups (project_id, minute, environment, route, method, status, consumer, count, errors, duration_sum, duration_max,
                duration_counts, request_size_sum, response_size_sum, response_size_counts)
            VALUES ($p, $min, $env, $r, $m, $s, $c, $count, $errors, $dsum, $dmax, $dcounts, $rqsum, $rssum, $rscounts)
            """, tx);
        AddKey(upsert);
        upsert.Parameters.AddWithValue("$count", count + series.Count);
        upsert.Parameters.AddWithValue("$errors", errors + series.ErrorCount);
        upsert.Parameters.AddWithValue("$dsum", durationSum + series.Duration.Sum);
        upsert.Parameters.AddWithValue("$dmax", Math.Max(durationMax, series.Duration.Max));
        upsert.Parameters.AddWithValue("$dcounts", HistogramText.Format(duration));
        upsert.Parameters.AddWithValue("$rqsum", requestSum + series.RequestSize.Sum);
        upsert.Parameters.AddWithValue("$rssum", responseSum + series.ResponseSize.Sum);
        upsert.Parameters.AddWithValue("$rscounts", HistogramText.Format(size));
        upsert.ExecuteNonQuery();

        void AddKey(SqliteCommand command)
        {
            command.Parameters.AddWithValue("$p", projectId);
            command.Parameters.AddWithValue("$min", minute);
            command.Parameters.AddWithValue("$env", environment);
            command.Parameters.AddWithValue("$r", series.RouteTemplate);
            command.Parameters.AddWithValue("$m", series.Method);
            command.Parameters.AddWithValue("$s", series.Status);
            command.Parameters.AddWithValue("$c", consumer);
        }
    }

    private static void UpsertEndpoint(SqliteConnection connection, SqliteTransaction tx, long projectId, string method, string route, string source, long now)
    {
        using var upsert = Command(connection, """
            INSERT INTO endpoints (project_id, method, route, source, last_seen) VALUES ($p, $m, $r, $s, $ts)
            ON CONFLICT (project_id, method, route) DO UPDATE SET last_seen = excluded.last_seen,
                source = CASE WHEN excluded.source = 'inventory' THEN 'inventory' ELSE source END
            """, tx);
        upsert.Parameters.AddWithValue("$p", projectId);
        upsert.Parameters.AddWithValue("$m", method);
        upsert.Parameters.AddWithValue("$r", route);
        upsert.Parameters.AddWithValue("$s", source);
        upsert.Parameters.AddWithValue("$ts", now);
        upsert.ExecuteNonQuery();
    }

    private static void UpsertConsumer(SqliteConnection connection, SqliteTransaction tx, long projectId, string identifier, string? name, string? group, long ts)
    {
        using var upsert = Command(connection, """
            INSERT INTO consumers (project_id, identifier, name, grp, last_seen) VALUES ($p, $i, $n, $g, $ts)
            ON CONFLICT (project_id, identifier) DO UPDATE SET name = COALESCE(excluded.name, name), grp = COALESCE(excluded.grp, grp),
                last_seen = MAX(last_seen, excluded.last_seen)
            """, tx);
        upsert.Parameters.AddWithValue("$p", projectId);
        upsert.Parameters.AddWithValue("$i", identifier);
        upsert.Parameters.AddWithValue("$n", (object?)name ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$g", (object?)group ?? DBNull.Value);
        upsert.Parameters.AddWithValue("$ts", ts);
        upsert.ExecuteNonQuery();
    }

    // ---- retention ----

    /// <summary>Deletes raw records and rollups older than their windows, in small chunks so ingest is never blocked long.</summary>
    public async Task<int> ApplyRetentionAsync(DateTimeOffset recordsBefore, DateTimeOffset rollupsBefore, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var (sql, cutoff) in new[]
        {
            ("DELETE FROM records WHERE rowid IN (SELECT rowid FROM records WHERE ts < $t LIMIT 5000)", recordsBefore),
            ("DELETE FROM rollups WHERE rowid IN (SELECT rowid FROM rollups WHERE minute < $t LIMIT 5000)", rollupsBefore),
            ("DELETE FROM applied_items WHERE rowid IN (SELECT rowid FROM applied_items WHERE ts < $t LIMIT 5000)", recordsBefore),
            ("DELETE FROM security_events WHERE rowid IN (SELECT rowid FROM security_events WHERE ts < $t LIMIT 5000)", recordsBefore),
        }.Concat(DashboardRetention.Select(r => (r.Sql, r.Rollup ? rollupsBefore : recordsBefore))))
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await _writer.WaitAsync(cancellationToken).ConfigureAwait(false);
                int n;
                try
                {
                    using var connection = Open();
                    using var delete = Command(connection, sql);
                    delete.Parameters.AddWithValue("$t", cutoff.ToUnixTimeMilliseconds());
                    n = delete.ExecuteNonQuery();
                }
                finally
                {
                    _writer.Release();
                }
                deleted += n;
                if (n < 5000) break;
            }
        }
        return deleted;
    }

    // ---- queries ----

    /// <summary>Overview for a range, from the rollups only.</summary>
    public Overview GetOverview(long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = Open();
        using var query = Command(connection, """
            SELECT minute, method, route, count, errors, duration_max, duration_counts, response_size_sum
            FROM rollups WHERE project_id = $p AND minute >= $from AND minute < $to
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        var minutes = new SortedDictionary<long, RollupAccumulator>();
        var endpoints = new Dictionary<(string, string), RollupAccumulator>();
        var total = new RollupAccumulator();
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var counts = HistogramText.Parse(reader.GetString(6), s_latencyLength);
                var row = (Count: reader.GetInt64(3), Errors: reader.GetInt64(4), Max: reader.GetDouble(5), Bytes: reader.GetDouble(7));
                Add(total, row, counts);
                var minute = reader.GetInt64(0);
                if (!minutes.TryGetValue(minute, out var m)) minutes[minute] = m = new RollupAccumulator();
                Add(m, row, counts);
                var key = (reader.GetString(1), reader.GetString(2));
                if (!endpoints.TryGetValue(key, out var e)) endpoints[key] = e = new RollupAccumulator();
                Add(e, row, counts);
            }
        }
        var series = new List<TimePoint>();
        foreach (var (minute, m) in minutes)
            series.Add(new TimePoint(DateTimeOffset.FromUnixTimeMilliseconds(minute), m.Count, m.Errors, m.Quantile(0.5), m.Quantile(0.95), m.Quantile(0.99)));
        var top = endpoints.Select(kv => ToStats(kv.Key.Item1, kv.Key.Item2, kv.Value, false)).OrderByDescending(s => s.Requests).Take(10).ToList();
        return new Overview(from, to, total.Count, total.Errors, total.Count == 0 ? 0 : (double)total.Errors / total.Count,
            total.Quantile(0.5), total.Quantile(0.95), total.Quantile(0.99), total.Count == 0 ? 0 : total.Bytes / total.Count, series, top);
    }

    /// <summary>Every endpoint (inventory and traffic) with its numbers for the range.</summary>
    public IReadOnlyList<EndpointStats> GetEndpoints(long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = Open();
        var result = new Dictionary<(string, string), RollupAccumulator>();
        using (var query = Command(connection, """
            SELECT method, route, count, errors, duration_max, duration_counts, response_size_sum
            FROM rollups WHERE project_id = $p AND minute >= $from AND minute < $to
            """))
        {
            query.Parameters.AddWithValue("$p", projectId);
            query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
            query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                if (!result.TryGetValue(key, out var acc)) result[key] = acc = new RollupAccumulator();
                Add(acc, (reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4), reader.GetDouble(6)), HistogramText.Parse(reader.GetString(5), s_latencyLength));
            }
        }
        var inventory = new HashSet<(string, string)>();
        using (var query = Command(connection, "SELECT method, route FROM endpoints WHERE project_id = $p AND source = 'inventory'"))
        {
            query.Parameters.AddWithValue("$p", projectId);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                inventory.Add(key);
                if (!result.ContainsKey(key)) result[key] = new RollupAccumulator();
            }
        }
        return result.Select(kv => ToStats(kv.Key.Item1, kv.Key.Item2, kv.Value, inventory.Contains(kv.Key)))
            .OrderByDescending(s => s.Requests).ThenBy(s => s.Route, StringComparer.Ordinal).ToList();
    }

    /// <summary>One page of the request log, newest first; cursor pagination on (timestamp, id).</summary>
    public RequestPage SearchRequests(long projectId, RequestFilter filter)
    {
        using var connection = Open();
        using var query = connection.CreateCommand();
        var sql = new System.Text.StringBuilder("""
            SELECT id, ts, method, route, path, status, duration_ns, request_size, response_size, consumer, has_error, client_ip
            FROM records WHERE project_id = $p AND direction = 'incoming'
            """);
        query.Parameters.AddWithValue("$p", projectId);
        if (filter.From is { } from) { sql.Append(" AND ts >= $from"); query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds()); }
        if (filter.To is { } to) { sql.Append(" AND ts < $to"); query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds()); }
        if (filter.Route is { Length: > 0 }) { sql.Append(" AND route = $route"); query.Parameters.AddWithValue("$route", filter.Route); }
        if (filter.Method is { Length: > 0 }) { sql.Append(" AND method = $method"); query.Parameters.AddWithValue("$method", filter.Method.ToUpperInvariant()); }
        if (filter.StatusClass is { } sc) { sql.Append(" AND status >= $s1 AND status < $s2"); query.Parameters.AddWithValue("$s1", sc * 100); query.Parameters.AddWithValue("$s2", sc * 100 + 100); }
        if (filter.Consumer is { Length: > 0 }) { sql.Append(" AND consumer = $consumer"); query.Parameters.AddWithValue("$consumer", filter.Consumer); }
        if (filter.Environment is { Length: > 0 }) { sql.Append(" AND environment = $env"); query.Parameters.AddWithValue("$env", filter.Environment); }
        if (filter.PathContains is { Length: > 0 })
        {
            sql.Append(" AND instr(path, $q) > 0");
            query.Parameters.AddWithValue("$q", filter.PathContains);
        }
        if (filter.HasError is { } hasError) { sql.Append(" AND has_error = $err"); query.Parameters.AddWithValue("$err", hasError ? 1 : 0); }
        if (filter.MinDurationMs is { } minMs) { sql.Append(" AND duration_ns >= $dur"); query.Parameters.AddWithValue("$dur", (long)(minMs * 1_000_000)); }
        if (RequestCursor.Decode(filter.Cursor) is { } cursor)
        {
            sql.Append(" AND (ts < $cts OR (ts = $cts AND id < $cid))");
            query.Parameters.AddWithValue("$cts", cursor.Ts);
            query.Parameters.AddWithValue("$cid", cursor.Id.ToString());
        }
        var limit = Math.Clamp(filter.Limit, 1, 500);
        sql.Append(" ORDER BY ts DESC, id DESC LIMIT $limit");
        query.Parameters.AddWithValue("$limit", limit + 1);
        query.CommandText = sql.ToString();
        var items = new List<RequestSummary>();
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(new RequestSummary(Guid.Parse(reader.GetString(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                    reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt64(6) / 1_000_000.0, reader.GetInt64(7), reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetInt64(10) == 1, reader.IsDBNull(11) ? null : reader.GetString(11)));
            }
        }
        string? next = null;
        if (items.Count > limit)
        {
            items.RemoveAt(limit);
            next = RequestCursor.Encode(items[^1]);
        }
        return new RequestPage(items, next);
    }

    /// <summary>One stored record (redacted as the SDK sent it), with its outgoing calls, or null.</summary>
    public RequestRecord? GetRequest(long projectId, Guid id)
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT body FROM records WHERE project_id = $p AND id = $id");
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$id", id.ToString());
        return query.ExecuteScalar() is string body ? JsonSerializer.Deserialize(body, WireJsonContext.Default.RequestRecord) : null;
    }

    /// <summary>Error groups, most recent first.</summary>
    public IReadOnlyList<ErrorGroup> GetErrorGroups(long projectId, int limit = 100)
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT fingerprint, type, message, first_seen, last_seen, count, last_record FROM error_groups WHERE project_id = $p ORDER BY last_seen DESC LIMIT $l");
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$l", limit);
        using var reader = query.ExecuteReader();
        var result = new List<ErrorGroup>();
        while (reader.Read())
            result.Add(new ErrorGroup(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt64(5), reader.IsDBNull(6) ? null : Guid.Parse(reader.GetString(6))));
        return result;
    }

    /// <summary>Consumers with their traffic in the range (from rollups).</summary>
    public IReadOnlyList<ConsumerStats> GetConsumers(long projectId, DateTimeOffset from, DateTimeOffset to, string? environment = null)
    {
        using var connection = Open();
        // With an environment, only its rollups count and consumers without traffic there are left out.
        using var query = Command(connection, """
            SELECT c.identifier, c.name, c.grp, COALESCE(SUM(r.count), 0), COALESCE(SUM(r.errors), 0), c.last_seen
            FROM consumers c LEFT JOIN rollups r ON r.project_id = c.project_id AND r.consumer = c.identifier AND r.minute >= $from AND r.minute < $to
                AND ($env IS NULL OR r.environment = $env)
            WHERE c.project_id = $p GROUP BY c.identifier HAVING $env IS NULL OR COALESCE(SUM(r.count), 0) > 0 ORDER BY 4 DESC, c.identifier LIMIT 500
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        using var reader = query.ExecuteReader();
        var result = new List<ConsumerStats>();
        while (reader.Read())
            result.Add(new ConsumerStats(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.GetInt64(3), reader.GetInt64(4), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5))));
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyList<SecurityEventRow> GetSecurityEvents(long projectId, int limit = 200, string? environment = null)
    {
        using var connection = Open();
        using var query = Command(connection, """
            SELECT ts, kind, reason, key_prefix, client_ip, method, path FROM security_events
            WHERE project_id = $p AND ($env IS NULL OR environment = $env) ORDER BY ts DESC LIMIT $l
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
        query.Parameters.AddWithValue("$l", limit);
        using var reader = query.ExecuteReader();
        var result = new List<SecurityEventRow>();
        while (reader.Read())
            result.Add(new SecurityEventRow(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <summary>SDK instances; silent when no heartbeat came for three intervals.</summary>
    public IReadOnlyList<InstanceRow> GetInstances(long projectId, DateTimeOffset now)
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT instance, service, version, environment, last_seen, interval_seconds, state FROM instances WHERE project_id = $p ORDER BY last_seen DESC LIMIT 200");
        query.Parameters.AddWithValue("$p", projectId);
        using var reader = query.ExecuteReader();
        var result = new List<InstanceRow>();
        while (reader.Read())
        {
            var lastSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4));
            var silent = reader.GetString(6) == "stopped" || now - lastSeen > TimeSpan.FromSeconds(3 * Math.Max(1, reader.GetInt64(5)));
            result.Add(new InstanceRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), lastSeen, silent));
        }
        return result;
    }

    private static void Add(RollupAccumulator acc, (long Count, long Errors, double Max, double Bytes) row, long[] counts)
        => acc.Add(new RollupRow(0, "", "", row.Count, row.Errors, row.Max, counts, row.Bytes));

    private static EndpointStats ToStats(string method, string route, RollupAccumulator a, bool inventory) => a.ToStats(method, route, inventory);

    /// <summary>Releases the writer lock.</summary>
    public void Dispose()
    {
        _checkpointer.Dispose();
        ResetWriteConnection();
        _writer.Dispose();
        SqliteConnection.ClearAllPools();
    }
}
