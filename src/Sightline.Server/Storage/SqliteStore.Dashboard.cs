using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using Sightline.Server.Query;
using Sightline.Server.Security;

namespace Sightline.Server.Storage;

/// <summary>The dashboard's queries and the rollups they read (error and outgoing-call rollups, kept at ingest).</summary>
public sealed partial class SqliteStore
{
    /// <summary>
    /// Tables and indexes of the dashboard, applied idempotently at start-up after <see cref="Schema"/>:
    /// per-minute error and outgoing-call rollups, error samples, and an index for per-endpoint record lookups.
    /// </summary>
    internal const string DashboardSchemaSql = """
        CREATE TABLE IF NOT EXISTS error_rollups (project_id INTEGER NOT NULL, fingerprint TEXT NOT NULL, minute INTEGER NOT NULL,
            method TEXT NOT NULL, route TEXT NOT NULL, consumer TEXT NOT NULL, count INTEGER NOT NULL,
            PRIMARY KEY (project_id, fingerprint, minute, method, route, consumer));
        CREATE INDEX IF NOT EXISTS ix_error_rollups_minute ON error_rollups(project_id, minute);
        CREATE TABLE IF NOT EXISTS error_samples (project_id INTEGER NOT NULL, fingerprint TEXT NOT NULL, ts INTEGER NOT NULL, record_id TEXT NOT NULL,
            PRIMARY KEY (project_id, fingerprint, ts, record_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS ix_error_samples_ts ON error_samples(ts);
        CREATE TABLE IF NOT EXISTS outgoing_rollups (project_id INTEGER NOT NULL, minute INTEGER NOT NULL, environment TEXT NOT NULL, host TEXT NOT NULL,
            method TEXT NOT NULL, status INTEGER NOT NULL, count INTEGER NOT NULL, errors INTEGER NOT NULL, duration_sum REAL NOT NULL,
            duration_max REAL NOT NULL, duration_counts TEXT NOT NULL, PRIMARY KEY (project_id, minute, environment, host, method, status));
        CREATE INDEX IF NOT EXISTS ix_records_route_ts ON records(project_id, route, ts);
        """;

    /// <summary>Retention of the dashboard's tables: (statement, use the rollup cutoff rather than the record cutoff).</summary>
    internal static readonly (string Sql, bool Rollup)[] DashboardRetention =
    [
        ("DELETE FROM error_rollups WHERE rowid IN (SELECT rowid FROM error_rollups WHERE minute < $t LIMIT 5000)", true),
        ("DELETE FROM outgoing_rollups WHERE rowid IN (SELECT rowid FROM outgoing_rollups WHERE minute < $t LIMIT 5000)", true),
        ("DELETE FROM error_samples WHERE (project_id, fingerprint, ts, record_id) IN (SELECT project_id, fingerprint, ts, record_id FROM error_samples WHERE ts < $t LIMIT 5000)", false),
    ];

    /// <summary>
    /// Called in the ingest transaction for each newly stored record (never for a retried one):
    /// counts its errors into the error rollups and samples, and its outgoing calls into the outgoing rollups.
    /// </summary>
    private static void OnRecordStored(SqliteConnection connection, SqliteTransaction tx, long projectId, IngestBatch batch, RequestRecord record)
    {
        var ts = record.Timestamp.ToUnixTimeMilliseconds();
        var minute = Math.DivRem(ts, 60_000, out var rem) * 60_000 - (rem < 0 ? 60_000 : 0);
        foreach (var error in record.Errors ?? [])
        {
            var fingerprint = error.Fingerprint ?? error.Type;
            using (var upsert = Command(connection, """
                INSERT INTO error_rollups (project_id, fingerprint, minute, method, route, consumer, count) VALUES ($p, $f, $min, $m, $r, $c, 1)
                ON CONFLICT (project_id, fingerprint, minute, method, route, consumer) DO UPDATE SET count = count + 1
                """, tx))
            {
                upsert.Parameters.AddWithValue("$p", projectId);
                upsert.Parameters.AddWithValue("$f", fingerprint);
                upsert.Parameters.AddWithValue("$min", minute);
                upsert.Parameters.AddWithValue("$m", record.Method);
                upsert.Parameters.AddWithValue("$r", record.RouteTemplate);
                upsert.Parameters.AddWithValue("$c", record.Consumer?.Identifier ?? "");
                upsert.ExecuteNonQuery();
            }
            using var sample = Command(connection, "INSERT OR IGNORE INTO error_samples (project_id, fingerprint, ts, record_id) VALUES ($p, $f, $ts, $id)", tx);
            sample.Parameters.AddWithValue("$p", projectId);
            sample.Parameters.AddWithValue("$f", fingerprint);
            sample.Parameters.AddWithValue("$ts", ts);
            sample.Parameters.AddWithValue("$id", record.Id.ToString());
            sample.ExecuteNonQuery();
        }
        var environment = (record.Service ?? batch.Service)?.Environment ?? "";
        if (record.Direction == WireConstants.DirectionOutgoing) AddOutgoing(connection, tx, projectId, environment, record);
        foreach (var call in record.Outgoing ?? []) AddOutgoing(connection, tx, projectId, environment, call);
    }

    private static void AddOutgoing(SqliteConnection connection, SqliteTransaction tx, long projectId, string environment, RequestRecord call)
    {
        var host = call.Host is { Length: > 0 } h ? h
            : Uri.TryCreate(call.Url, UriKind.Absolute, out var uri) ? uri.Authority : "(unknown)";
        var ts = call.Timestamp.ToUnixTimeMilliseconds();
        var minute = ts / 60_000 * 60_000;
        var ms = call.DurationNs / 1_000_000.0;
        var isError = call.Status == 0 || call.Status >= 500 || call.Errors is { Count: > 0 };
        var counts = new long[s_latencyLength];
        double sum = 0, max = 0;
        long count = 0, errors = 0;
        using (var find = Command(connection, """
            SELECT count, errors, duration_sum, duration_max, duration_counts FROM outgoing_rollups
            WHERE project_id = $p AND minute = $min AND environment = $env AND host = $h AND method = $m AND status = $s
            """, tx))
        {
            Key(find);
            using var reader = find.ExecuteReader();
            if (reader.Read())
            {
                count = reader.GetInt64(0);
                errors = reader.GetInt64(1);
                sum = reader.GetDouble(2);
                max = reader.GetDouble(3);
                counts = HistogramText.Parse(reader.GetString(4), s_latencyLength);
            }
        }
        counts[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, ms)]++;
        using var upsert = Command(connection, """
            INSERT OR REPLACE INTO outgoing_rollups (project_id, minute, environment, host, method, status, count, errors, duration_sum, duration_max, duration_counts)
            VALUES ($p, $min, $env, $h, $m, $s, $count, $errors, $sum, $max, $counts)
            """, tx);
        Key(upsert);
        upsert.Parameters.AddWithValue("$count", count + 1);
        upsert.Parameters.AddWithValue("$errors", errors + (isError ? 1 : 0));
        upsert.Parameters.AddWithValue("$sum", sum + ms);
        upsert.Parameters.AddWithValue("$max", Math.Max(max, ms));
        upsert.Parameters.AddWithValue("$counts", HistogramText.Format(counts));
        upsert.ExecuteNonQuery();

        void Key(SqliteCommand command)
        {
            command.Parameters.AddWithValue("$p", projectId);
            command.Parameters.AddWithValue("$min", minute);
            command.Parameters.AddWithValue("$env", environment);
            command.Parameters.AddWithValue("$h", host);
            command.Parameters.AddWithValue("$m", call.Method);
            command.Parameters.AddWithValue("$s", call.Status);
        }
    }

    // ---- queries ----

    /// <inheritdoc />
    public TrafficReport GetTraffic(long projectId, TrafficScope scope, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = Open();
        using var query = connection.CreateCommand();
        var sql = new System.Text.StringBuilder("""
            SELECT minute, method, route, status, consumer, count, errors, duration_max, duration_counts, response_size_sum
            FROM rollups WHERE project_id = $p AND minute >= $from AND minute < $to
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        if (scope.Environment is not null) { sql.Append(" AND environment = $env"); query.Parameters.AddWithValue("$env", scope.Environment); }
        if (scope.Method is not null) { sql.Append(" AND method = $m"); query.Parameters.AddWithValue("$m", scope.Method); }
        if (scope.Route is not null) { sql.Append(" AND route = $r"); query.Parameters.AddWithValue("$r", scope.Route); }
        if (scope.Consumer is not null) { sql.Append(" AND consumer = $c"); query.Parameters.AddWithValue("$c", scope.Consumer); }
        query.CommandText = sql.ToString();
        var total = new RollupAccumulator();
        var series = buckets.NewAccumulators();
        var statuses = new SortedDictionary<int, long>();
        var endpoints = new Dictionary<(string, string), RollupAccumulator>();
        var consumers = new Dictionary<string, RollupAccumulator>(StringComparer.Ordinal);
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var counts = HistogramText.Parse(reader.GetString(8), s_latencyLength);
                var row = (Count: reader.GetInt64(5), Errors: reader.GetInt64(6), Max: reader.GetDouble(7), Bytes: reader.GetDouble(9));
                Add(total, row, counts);
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) Add(series[i], row, counts);
                var status = reader.GetInt32(3);
                statuses[status] = statuses.GetValueOrDefault(status) + row.Count;
                var endpoint = (reader.GetString(1), reader.GetString(2));
                if (!endpoints.TryGetValue(endpoint, out var e)) endpoints[endpoint] = e = new RollupAccumulator();
                Add(e, row, counts);
                var consumer = reader.GetString(4);
                if (!consumers.TryGetValue(consumer, out var c)) consumers[consumer] = c = new RollupAccumulator();
                Add(c, row, counts);
            }
        }
        return new TrafficReport(
            ToStats(scope.Method ?? "", scope.Route ?? "", total, false),
            buckets.ToSeries(series),
            statuses.Select(kv => new StatusCount(kv.Key, kv.Value)).ToList(),
            endpoints.Select(kv => ToStats(kv.Key.Item1, kv.Key.Item2, kv.Value, false)).OrderByDescending(s => s.Requests).ThenBy(s => s.Route, StringComparer.Ordinal).ToList(),
            consumers.Select(kv => new ConsumerShare(kv.Key, kv.Value.Count, kv.Value.Errors, kv.Value.Quantile(0.95)))
                .OrderByDescending(c => c.Requests).ThenBy(c => c.Identifier, StringComparer.Ordinal).Take(100).ToList());
    }

    /// <inheritdoc />
    public IReadOnlyList<RequestSummary> GetSlowestRequests(long projectId, string method, string route, DateTimeOffset from, DateTimeOffset to, int limit = 10)
    {
        using var connection = Open();
        using var query = Command(connection, """
            SELECT id, ts, method, route, path, status, duration_ns, request_size, response_size, consumer, has_error, client_ip
            FROM records WHERE project_id = $p AND route = $r AND method = $m AND direction = 'incoming' AND ts >= $from AND ts < $to
            ORDER BY duration_ns DESC, ts DESC LIMIT $l
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$r", route);
        query.Parameters.AddWithValue("$m", method);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("$l", Math.Clamp(limit, 1, 100));
        return ReadSummaries(query);
    }

    private static List<RequestSummary> ReadSummaries(SqliteCommand query)
    {
        using var reader = query.ExecuteReader();
        var items = new List<RequestSummary>();
        while (reader.Read())
        {
            items.Add(new RequestSummary(Guid.Parse(reader.GetString(0)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt64(6) / 1_000_000.0, reader.GetInt64(7), reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetInt64(10) == 1, reader.IsDBNull(11) ? null : reader.GetString(11)));
        }
        return items;
    }

    /// <inheritdoc />
    public OutgoingReport GetOutgoing(long projectId, string? environment, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = Open();
        using var query = Command(connection, """
            SELECT minute, host, count, errors, duration_max, duration_counts FROM outgoing_rollups
            WHERE project_id = $p AND minute >= $from AND minute < $to AND ($env IS NULL OR environment = $env)
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
        var series = buckets.NewAccumulators();
        var hosts = new Dictionary<string, RollupAccumulator>(StringComparer.Ordinal);
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var counts = HistogramText.Parse(reader.GetString(5), s_latencyLength);
                var row = (Count: reader.GetInt64(2), Errors: reader.GetInt64(3), Max: reader.GetDouble(4), Bytes: 0d);
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) Add(series[i], row, counts);
                var host = reader.GetString(1);
                if (!hosts.TryGetValue(host, out var h)) hosts[host] = h = new RollupAccumulator();
                Add(h, row, counts);
            }
        }
        return new OutgoingReport(buckets.ToSeries(series), hosts
            .Select(kv => new OutgoingHostStats(kv.Key, kv.Value.Count, kv.Value.Errors, kv.Value.Count == 0 ? 0 : (double)kv.Value.Errors / kv.Value.Count,
                kv.Value.Quantile(0.5), kv.Value.Quantile(0.95), kv.Value.Quantile(0.99), kv.Value.Max))
            .OrderByDescending(h => h.Calls).ThenBy(h => h.Host, StringComparer.Ordinal).ToList());
    }

    /// <inheritdoc />
    public ErrorSummary GetErrorSummary(long projectId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, string? environment = null)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = Open();
        // The error rollups carry no environment: for one environment, count the samples of that environment's records.
        using var query = Command(connection, environment is null
            ? "SELECT minute, fingerprint, SUM(count) FROM error_rollups WHERE project_id = $p AND minute >= $from AND minute < $to GROUP BY minute, fingerprint"
            : """
            SELECT s.ts / 60000 * 60000, s.fingerprint, COUNT(*) FROM error_samples s JOIN records r ON r.id = s.record_id AND r.project_id = s.project_id
            WHERE s.project_id = $p AND s.ts >= $from AND s.ts < $to AND r.environment = $env GROUP BY 1, 2
            """);
        query.Parameters.AddWithValue("$p", projectId);
        query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("$to", environment is null ? to.ToUnixTimeMilliseconds() : TimeBuckets.MinuteEnd(to));
        if (environment is not null) query.Parameters.AddWithValue("$env", environment);
        var perBucket = new long[buckets.Count];
        var byFingerprint = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var n = reader.GetInt64(2);
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) perBucket[i] += n;
                var fingerprint = reader.GetString(1);
                byFingerprint[fingerprint] = byFingerprint.GetValueOrDefault(fingerprint) + n;
            }
        }
        return new ErrorSummary(buckets.CountSeries(perBucket), byFingerprint);
    }

    /// <inheritdoc />
    public ErrorGroupDetail? GetErrorGroup(long projectId, string fingerprint, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, int samples = 20, string? environment = null)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = Open();
        ErrorGroup group;
        using (var find = Command(connection, "SELECT fingerprint, type, message, first_seen, last_seen, count, last_record FROM error_groups WHERE project_id = $p AND fingerprint = $f"))
        {
            find.Parameters.AddWithValue("$p", projectId);
            find.Parameters.AddWithValue("$f", fingerprint);
            using var reader = find.ExecuteReader();
            if (!reader.Read()) return null;
            group = new ErrorGroup(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt64(5), reader.IsDBNull(6) ? null : Guid.Parse(reader.GetString(6)));
        }
        var perBucket = new long[buckets.Count];
        var endpoints = new Dictionary<string, long>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, long>(StringComparer.Ordinal);
        long inRange = 0;
        using (var query = Command(connection, environment is null
            ? "SELECT minute, method, route, consumer, count FROM error_rollups WHERE project_id = $p AND fingerprint = $f AND minute >= $from AND minute < $to"
            : """
            SELECT s.ts / 60000 * 60000, r.method, r.route, COALESCE(r.consumer, ''), COUNT(*) FROM error_samples s
            JOIN records r ON r.id = s.record_id AND r.project_id = s.project_id
            WHERE s.project_id = $p AND s.fingerprint = $f AND s.ts >= $from AND s.ts < $to AND r.environment = $env GROUP BY 1, 2, 3, 4
            """))
        {
            query.Parameters.AddWithValue("$p", projectId);
            query.Parameters.AddWithValue("$f", fingerprint);
            query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
            query.Parameters.AddWithValue("$to", environment is null ? to.ToUnixTimeMilliseconds() : TimeBuckets.MinuteEnd(to));
            if (environment is not null) query.Parameters.AddWithValue("$env", environment);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var n = reader.GetInt64(4);
                inRange += n;
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) perBucket[i] += n;
                var endpoint = reader.GetString(1) + " " + reader.GetString(2);
                endpoints[endpoint] = endpoints.GetValueOrDefault(endpoint) + n;
                var consumer = reader.GetString(3);
                consumers[consumer] = consumers.GetValueOrDefault(consumer) + n;
            }
        }
        using var sampleQuery = Command(connection, """
            SELECT r.id, r.ts, r.method, r.route, r.path, r.status, r.duration_ns, r.request_size, r.response_size, r.consumer, r.has_error, r.client_ip
            FROM error_samples s JOIN records r ON r.id = s.record_id AND r.project_id = s.project_id
            WHERE s.project_id = $p AND s.fingerprint = $f AND ($env IS NULL OR r.environment = $env) ORDER BY s.ts DESC, s.record_id DESC LIMIT $l
            """);
        sampleQuery.Parameters.AddWithValue("$p", projectId);
        sampleQuery.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
        sampleQuery.Parameters.AddWithValue("$f", fingerprint);
        sampleQuery.Parameters.AddWithValue("$l", Math.Clamp(samples, 1, 100));
        return new ErrorGroupDetail(group, inRange, buckets.CountSeries(perBucket), Top(endpoints, 50), Top(consumers, 50), ReadSummaries(sampleQuery));
    }

    private static List<AffectedCount> Top(Dictionary<string, long> counts, int n)
        => counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(n).Select(kv => new AffectedCount(kv.Key, kv.Value)).ToList();

    /// <inheritdoc />
    public SecurityReport GetSecurityReport(long projectId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, string? environment = null)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = Open();
        var series = new List<SecurityPoint>();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var query = Command(connection, """
            SELECT (ts - $start) / $b, reason, COUNT(*) FROM security_events WHERE project_id = $p AND ts >= $from AND ts < $to AND ($env IS NULL OR environment = $env) GROUP BY 1, 2 ORDER BY 1, 2
            """))
        {
            query.Parameters.AddWithValue("$p", projectId);
            query.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
            query.Parameters.AddWithValue("$start", buckets.StartMs);
            query.Parameters.AddWithValue("$b", buckets.SizeMs);
            query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var index = reader.GetInt64(0);
                var reason = reader.GetString(1);
                var n = reader.GetInt64(2);
                reasons[reason] = reasons.GetValueOrDefault(reason) + n;
                if (index >= 0 && index < buckets.Count) series.Add(new SecurityPoint(buckets.StartOf((int)index), reason, n));
            }
        }
        List<AffectedCount> TopOf(string column, string none)
        {
            using var query = Command(connection, $"""
                SELECT COALESCE({column}, $none), COUNT(*) FROM security_events WHERE project_id = $p AND ts >= $from AND ts < $to AND ($env IS NULL OR environment = $env)
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20
                """);
            query.Parameters.AddWithValue("$p", projectId);
            query.Parameters.AddWithValue("$env", (object?)environment ?? DBNull.Value);
            query.Parameters.AddWithValue("$none", none);
            query.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
            query.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());
            using var reader = query.ExecuteReader();
            var result = new List<AffectedCount>();
            while (reader.Read()) result.Add(new AffectedCount(reader.GetString(0), reader.GetInt64(1)));
            return result;
        }
        return new SecurityReport(reasons.Values.Sum(), Enumerable.Range(0, buckets.Count).Select(buckets.StartOf).ToList(), series,
            Top(reasons, 20), TopOf("client_ip", "(unknown)"), TopOf("key_prefix", "(none)"));
    }

    // ---- settings ----

    /// <inheritdoc />
    public IReadOnlyList<ProjectRow> GetProjects()
    {
        using var connection = Open();
        var environments = new Dictionary<long, SortedSet<string>>();
        using (var query = Command(connection, "SELECT DISTINCT project_id, environment FROM instances WHERE environment IS NOT NULL AND environment <> ''"))
        {
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                if (!environments.TryGetValue(id, out var set)) environments[id] = set = new SortedSet<string>(StringComparer.Ordinal);
                set.Add(reader.GetString(1));
            }
        }
        using var projects = Command(connection, "SELECT id, name, created FROM projects ORDER BY name");
        using var rows = projects.ExecuteReader();
        var result = new List<ProjectRow>();
        while (rows.Read())
        {
            var id = rows.GetInt64(0);
            result.Add(new ProjectRow(id, rows.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(2)),
                environments.TryGetValue(id, out var set) ? set.ToList() : []));
        }
        return result;
    }

    /// <inheritdoc />
    public long? FindProjectId(string name)
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT id FROM projects WHERE name = $n");
        query.Parameters.AddWithValue("$n", name);
        return query.ExecuteScalar() is long id ? id : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<LegacyIngestKey> GetLegacyIngestKeys()
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT key_id, project_id, hash, created, revoked FROM ingest_keys ORDER BY created, key_id");
        using var reader = query.ExecuteReader();
        var result = new List<LegacyIngestKey>();
        while (reader.Read())
            result.Add(new LegacyIngestKey(reader.GetString(0), reader.GetInt64(1), (byte[])reader.GetValue(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetInt64(4) != 0));
        return result;
    }

    /// <summary>The connection string of this store's file, for the ingest-key store that shares it.</summary>
    internal string ConnectionString => _connectionString;

    /// <inheritdoc />
    public IReadOnlyList<UserRow> GetUsers()
    {
        using var connection = Open();
        using var query = Command(connection, "SELECT username, created FROM users ORDER BY username");
        using var reader = query.ExecuteReader();
        var result = new List<UserRow>();
        while (reader.Read()) result.Add(new UserRow(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        return result;
    }

    /// <inheritdoc />
    public bool SetPassword(string username, string newPassword)
    {
        using var connection = Open();
        using var update = Command(connection, "UPDATE users SET password_hash = $h WHERE username = $u");
        update.Parameters.AddWithValue("$u", username);
        update.Parameters.AddWithValue("$h", PasswordHasher.Hash(newPassword));
        return update.ExecuteNonQuery() == 1;
    }
}
