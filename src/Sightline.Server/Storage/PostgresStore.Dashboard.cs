using Npgsql;
using Sightline.Protocol.Wire;
using Sightline.Server.Query;
using Sightline.Server.Security;

namespace Sightline.Server.Storage;

/// <summary>The dashboard's queries and the rollups they read (error and outgoing-call rollups, kept at ingest), on PostgreSQL.</summary>
public sealed partial class PostgresStore
{
    /// <summary>
    /// Migration 2: the dashboard's tables (per-minute error and outgoing-call rollups with bigint
    /// Unix-millisecond minutes and bigint[] latency histograms, like <c>rollups</c>; error samples)
    /// and an index for per-endpoint record lookups (created on every record partition).
    /// </summary>
    internal const string DashboardMigrationSql = """
        CREATE TABLE error_rollups (project_id bigint NOT NULL, fingerprint text NOT NULL, minute bigint NOT NULL,
            method text NOT NULL, route text NOT NULL, consumer text NOT NULL, count bigint NOT NULL,
            PRIMARY KEY (project_id, fingerprint, minute, method, route, consumer));
        CREATE INDEX ix_error_rollups_project_minute ON error_rollups (project_id, minute);
        CREATE INDEX ix_error_rollups_minute ON error_rollups (minute);
        CREATE TABLE error_samples (project_id bigint NOT NULL, fingerprint text NOT NULL, ts bigint NOT NULL, record_id uuid NOT NULL,
            PRIMARY KEY (project_id, fingerprint, ts, record_id));
        CREATE INDEX ix_error_samples_ts ON error_samples (ts);
        CREATE TABLE outgoing_rollups (project_id bigint NOT NULL, minute bigint NOT NULL, environment text NOT NULL, host text NOT NULL,
            method text NOT NULL, status integer NOT NULL, count bigint NOT NULL, errors bigint NOT NULL, duration_sum double precision NOT NULL,
            duration_max double precision NOT NULL, duration_counts bigint[] NOT NULL,
            PRIMARY KEY (project_id, minute, environment, host, method, status));
        CREATE INDEX ix_outgoing_rollups_minute ON outgoing_rollups (minute);
        CREATE INDEX ix_records_route_ts ON records (project_id, route, ts);
        """;

    /// <summary>
    /// Counts the errors and outgoing calls of one newly stored record (never a retried one) into
    /// <paramref name="delta"/>; written in the ingest transaction by <see cref="UpsertDashboardAsync"/>.
    /// </summary>
    private static void OnRecordStored(DashboardDelta delta, IngestBatch batch, RequestRecord record)
    {
        var ts = record.Timestamp.ToUnixTimeMilliseconds();
        var minute = Math.DivRem(ts, 60_000, out var rem) * 60_000 - (rem < 0 ? 60_000 : 0);
        foreach (var error in record.Errors ?? [])
        {
            var fingerprint = error.Fingerprint ?? error.Type;
            var key = (fingerprint, minute, record.Method, record.RouteTemplate, record.Consumer?.Identifier ?? "");
            delta.Errors[key] = delta.Errors.GetValueOrDefault(key) + 1;
            delta.Samples.Add((fingerprint, ts, record.Id));
        }
        var environment = (record.Service ?? batch.Service)?.Environment ?? "";
        if (record.Direction == WireConstants.DirectionOutgoing) AddOutgoing(delta, environment, record);
        foreach (var call in record.Outgoing ?? []) AddOutgoing(delta, environment, call);
    }

    private static void AddOutgoing(DashboardDelta delta, string environment, RequestRecord call)
    {
        var host = call.Host is { Length: > 0 } h ? h
            : Uri.TryCreate(call.Url, UriKind.Absolute, out var uri) ? uri.Authority : "(unknown)";
        var minute = call.Timestamp.ToUnixTimeMilliseconds() / 60_000 * 60_000;
        var ms = call.DurationNs / 1_000_000.0;
        var key = (minute, environment, host, call.Method, call.Status);
        if (!delta.Outgoing.TryGetValue(key, out var o)) delta.Outgoing[key] = o = new OutgoingDelta();
        o.Count++;
        if (call.Status == 0 || call.Status >= 500 || call.Errors is { Count: > 0 }) o.Errors++;
        o.Sum += ms;
        o.Max = Math.Max(o.Max, ms);
        o.Counts[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, ms)]++;
    }

    /// <summary>Writes the dashboard rollups and samples of the batch's new records, in key order (no lock-order deadlocks between servers).</summary>
    private static async Task UpsertDashboardAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, DashboardDelta delta, CancellationToken ct)
    {
        if (delta.Errors.Count > 0)
        {
            await using var upsert = new NpgsqlCommand("""
                INSERT INTO error_rollups AS e (project_id, fingerprint, minute, method, route, consumer, count)
                SELECT @p, f, mi, m, r, c, n FROM unnest(@f, @mi, @m, @r, @c, @n) WITH ORDINALITY AS u(f, mi, m, r, c, n, o) ORDER BY o
                ON CONFLICT (project_id, fingerprint, minute, method, route, consumer) DO UPDATE SET count = e.count + excluded.count
                """, connection, tx);
            upsert.Parameters.AddWithValue("p", projectId);
            upsert.Parameters.AddWithValue("f", delta.Errors.Keys.Select(k => k.Fingerprint).ToArray());
            upsert.Parameters.AddWithValue("mi", delta.Errors.Keys.Select(k => k.Minute).ToArray());
            upsert.Parameters.AddWithValue("m", delta.Errors.Keys.Select(k => k.Method).ToArray());
            upsert.Parameters.AddWithValue("r", delta.Errors.Keys.Select(k => k.Route).ToArray());
            upsert.Parameters.AddWithValue("c", delta.Errors.Keys.Select(k => k.Consumer).ToArray());
            upsert.Parameters.AddWithValue("n", delta.Errors.Values.ToArray());
            await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);

            await using var samples = new NpgsqlCommand("""
                INSERT INTO error_samples (project_id, fingerprint, ts, record_id)
                SELECT @p, f, ts, id FROM unnest(@f, @ts, @id) WITH ORDINALITY AS u(f, ts, id, o) ORDER BY o ON CONFLICT DO NOTHING
                """, connection, tx);
            var ordered = delta.Samples.OrderBy(s => s.Fingerprint, StringComparer.Ordinal).ThenBy(s => s.Ts).ThenBy(s => s.Id).ToList();
            samples.Parameters.AddWithValue("p", projectId);
            samples.Parameters.AddWithValue("f", ordered.Select(s => s.Fingerprint).ToArray());
            samples.Parameters.AddWithValue("ts", ordered.Select(s => s.Ts).ToArray());
            samples.Parameters.AddWithValue("id", ordered.Select(s => s.Id).ToArray());
            await samples.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        if (delta.Outgoing.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var (key, o) in delta.Outgoing)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO outgoing_rollups AS r (project_id, minute, environment, host, method, status, count, errors, duration_sum, duration_max, duration_counts)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                ON CONFLICT (project_id, minute, environment, host, method, status) DO UPDATE SET
                    count = r.count + excluded.count, errors = r.errors + excluded.errors,
                    duration_sum = r.duration_sum + excluded.duration_sum, duration_max = greatest(r.duration_max, excluded.duration_max),
                    duration_counts = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(r.duration_counts, excluded.duration_counts) WITH ORDINALITY AS t(a, b, n) ORDER BY n)
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key.Minute });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Environment });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Host });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Method });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = key.Status });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = o.Count });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = o.Errors });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = o.Sum });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = o.Max });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = o.Counts });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Deletes expired dashboard rollups (rollup cut-off) and error samples (record cut-off) in chunks.</summary>
    private static async Task<long> ApplyDashboardRetentionAsync(NpgsqlConnection connection, DateTimeOffset recordsBefore, DateTimeOffset rollupsBefore, CancellationToken ct)
    {
        var deleted = await DeleteInChunksAsync(connection, "error_rollups", "minute", rollupsBefore, ct).ConfigureAwait(false);
        deleted += await DeleteInChunksAsync(connection, "outgoing_rollups", "minute", rollupsBefore, ct).ConfigureAwait(false);
        deleted += await DeleteInChunksAsync(connection, "error_samples", "ts", recordsBefore, ct).ConfigureAwait(false);
        return deleted;
    }

    // ---- queries ----

    /// <inheritdoc />
    public TrafficReport GetTraffic(long projectId, TrafficScope scope, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = _dataSource.OpenConnection();
        using var query = connection.CreateCommand();
        var sql = new System.Text.StringBuilder("""
            SELECT minute, method, route, status, consumer, count, errors, duration_max, duration_counts, response_size_sum
            FROM rollups WHERE project_id = @p AND minute >= @from AND minute < @to
            """);
        AddRange(query, projectId, from, to);
        if (scope.Environment is not null) { sql.Append(" AND environment = @env"); query.Parameters.AddWithValue("env", scope.Environment); }
        if (scope.Method is not null) { sql.Append(" AND method = @m"); query.Parameters.AddWithValue("m", scope.Method); }
        if (scope.Route is not null) { sql.Append(" AND route = @r"); query.Parameters.AddWithValue("r", scope.Route); }
        if (scope.Consumer is not null) { sql.Append(" AND consumer = @c"); query.Parameters.AddWithValue("c", scope.Consumer); }
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
                var row = new RollupRow(0, "", "", reader.GetInt64(5), reader.GetInt64(6), reader.GetDouble(7), reader.GetFieldValue<long[]>(8), reader.GetDouble(9));
                total.Add(row);
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) series[i].Add(row);
                var status = reader.GetInt32(3);
                statuses[status] = statuses.GetValueOrDefault(status) + row.Count;
                var endpoint = (reader.GetString(1), reader.GetString(2));
                if (!endpoints.TryGetValue(endpoint, out var e)) endpoints[endpoint] = e = new RollupAccumulator();
                e.Add(row);
                var consumer = reader.GetString(4);
                if (!consumers.TryGetValue(consumer, out var c)) consumers[consumer] = c = new RollupAccumulator();
                c.Add(row);
            }
        }
        return new TrafficReport(
            total.ToStats(scope.Method ?? "", scope.Route ?? "", false),
            buckets.ToSeries(series),
            statuses.Select(kv => new StatusCount(kv.Key, kv.Value)).ToList(),
            endpoints.Select(kv => kv.Value.ToStats(kv.Key.Item1, kv.Key.Item2, false)).OrderByDescending(s => s.Requests).ThenBy(s => s.Route, StringComparer.Ordinal).ToList(),
            consumers.Select(kv => new ConsumerShare(kv.Key, kv.Value.Count, kv.Value.Errors, kv.Value.Quantile(0.95)))
                .OrderByDescending(c => c.Requests).ThenBy(c => c.Identifier, StringComparer.Ordinal).Take(100).ToList());
    }

    /// <inheritdoc />
    public IReadOnlyList<RequestSummary> GetSlowestRequests(long projectId, string method, string route, DateTimeOffset from, DateTimeOffset to, int limit = 10)
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, """
            SELECT id, ts, method, route, path, status, duration_ns, request_size, response_size, consumer, has_error, client_ip
            FROM records WHERE project_id = @p AND route = @r AND method = @m AND direction = 'incoming' AND ts >= @from AND ts < @to
            ORDER BY duration_ns DESC, ts DESC LIMIT @l
            """);
        query.Parameters.AddWithValue("p", projectId);
        query.Parameters.AddWithValue("r", route);
        query.Parameters.AddWithValue("m", method);
        query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds());
        query.Parameters.AddWithValue("l", Math.Clamp(limit, 1, 100));
        return ReadSummaries(query);
    }

    private static List<RequestSummary> ReadSummaries(NpgsqlCommand query)
    {
        using var reader = query.ExecuteReader();
        var items = new List<RequestSummary>();
        while (reader.Read())
        {
            items.Add(new RequestSummary(reader.GetGuid(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt64(6) / 1_000_000.0, reader.GetInt64(7), reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetBoolean(10), reader.IsDBNull(11) ? null : reader.GetString(11)));
        }
        return items;
    }

    /// <inheritdoc />
    public OutgoingReport GetOutgoing(long projectId, string? environment, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, """
            SELECT minute, host, count, errors, duration_max, duration_counts FROM outgoing_rollups
            WHERE project_id = @p AND minute >= @from AND minute < @to AND (@env::text IS NULL OR environment = @env::text)
            """);
        AddRange(query, projectId, from, to);
        query.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
        var series = buckets.NewAccumulators();
        var hosts = new Dictionary<string, RollupAccumulator>(StringComparer.Ordinal);
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var row = new RollupRow(0, "", "", reader.GetInt64(2), reader.GetInt64(3), reader.GetDouble(4), reader.GetFieldValue<long[]>(5), 0);
                if (buckets.IndexOf(reader.GetInt64(0)) is { } i) series[i].Add(row);
                var host = reader.GetString(1);
                if (!hosts.TryGetValue(host, out var h)) hosts[host] = h = new RollupAccumulator();
                h.Add(row);
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
        using var connection = _dataSource.OpenConnection();
        // The error rollups carry no environment: for one environment, count the samples of that environment's records.
        using var query = Command(connection, environment is null
            ? "SELECT minute, fingerprint, sum(count)::bigint FROM error_rollups WHERE project_id = @p AND minute >= @from AND minute < @to GROUP BY minute, fingerprint"
            : """
            SELECT s.ts / 60000 * 60000, s.fingerprint, count(*) FROM error_samples s JOIN records r ON r.id = s.record_id AND r.ts = s.ts AND r.project_id = s.project_id
            WHERE s.project_id = @p AND s.ts >= @from AND s.ts < @to AND r.environment = @env GROUP BY 1, 2
            """);
        AddRange(query, projectId, from, to);
        AddEnvironment(query, environment, to);
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
        using var connection = _dataSource.OpenConnection();
        ErrorGroup group;
        using (var find = Command(connection, "SELECT fingerprint, type, message, first_seen, last_seen, count, last_record FROM error_groups WHERE project_id = @p AND fingerprint = @f"))
        {
            find.Parameters.AddWithValue("p", projectId);
            find.Parameters.AddWithValue("f", fingerprint);
            using var reader = find.ExecuteReader();
            if (!reader.Read()) return null;
            group = new ErrorGroup(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetGuid(6));
        }
        var perBucket = new long[buckets.Count];
        var endpoints = new Dictionary<string, long>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, long>(StringComparer.Ordinal);
        long inRange = 0;
        using (var query = Command(connection, environment is null
            ? "SELECT minute, method, route, consumer, count FROM error_rollups WHERE project_id = @p AND fingerprint = @f AND minute >= @from AND minute < @to"
            : """
            SELECT s.ts / 60000 * 60000, r.method, r.route, coalesce(r.consumer, ''), count(*) FROM error_samples s
            JOIN records r ON r.id = s.record_id AND r.ts = s.ts AND r.project_id = s.project_id
            WHERE s.project_id = @p AND s.fingerprint = @f AND s.ts >= @from AND s.ts < @to AND r.environment = @env GROUP BY 1, 2, 3, 4
            """))
        {
            AddRange(query, projectId, from, to);
            AddEnvironment(query, environment, to);
            query.Parameters.AddWithValue("f", fingerprint);
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
            FROM error_samples s JOIN records r ON r.id = s.record_id AND r.ts = s.ts AND r.project_id = s.project_id
            WHERE s.project_id = @p AND s.fingerprint = @f AND (@env::text IS NULL OR r.environment = @env::text) ORDER BY s.ts DESC, s.record_id::text DESC LIMIT @l
            """);
        sampleQuery.Parameters.AddWithValue("p", projectId);
        sampleQuery.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
        sampleQuery.Parameters.AddWithValue("f", fingerprint);
        sampleQuery.Parameters.AddWithValue("l", Math.Clamp(samples, 1, 100));
        return new ErrorGroupDetail(group, inRange, buckets.CountSeries(perBucket), Top(endpoints, 50), Top(consumers, 50), ReadSummaries(sampleQuery));
    }

    /// <summary>For a per-environment query over raw timestamps: the environment, and "to" moved to the end of its minute (see <see cref="TimeBuckets.MinuteEnd"/>).</summary>
    private static void AddEnvironment(NpgsqlCommand query, string? environment, DateTimeOffset to)
    {
        if (environment is null) return;
        query.Parameters["to"].Value = TimeBuckets.MinuteEnd(to);
        query.Parameters.AddWithValue("env", environment);
    }

    private static List<AffectedCount> Top(Dictionary<string, long> counts, int n)
        => counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(n).Select(kv => new AffectedCount(kv.Key, kv.Value)).ToList();

    /// <inheritdoc />
    public SecurityReport GetSecurityReport(long projectId, DateTimeOffset from, DateTimeOffset to, TimeSpan bucket, string? environment = null)
    {
        var buckets = new TimeBuckets(from, to, bucket);
        using var connection = _dataSource.OpenConnection();
        var series = new List<SecurityPoint>();
        var reasons = new Dictionary<string, long>(StringComparer.Ordinal);
        using (var query = Command(connection, """
            SELECT (ts - @start) / @b AS i, reason, count(*) FROM security_events WHERE project_id = @p AND ts >= @from AND ts < @to AND (@env::text IS NULL OR environment = @env::text) GROUP BY 1, 2 ORDER BY 1, 2
            """))
        {
            query.Parameters.AddWithValue("p", projectId);
            query.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
            query.Parameters.AddWithValue("start", buckets.StartMs);
            query.Parameters.AddWithValue("b", buckets.SizeMs);
            query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds());
            query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds());
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
            // The column is one of two constants of this method; everything else is a parameter.
            using var query = Command(connection, $"""
                SELECT k, n FROM (SELECT coalesce({column}, @none) AS k, count(*) AS n FROM security_events WHERE project_id = @p AND ts >= @from AND ts < @to AND (@env::text IS NULL OR environment = @env::text)
                GROUP BY 1) AS t ORDER BY n DESC, k COLLATE "C" LIMIT 20
                """);
            query.Parameters.AddWithValue("p", projectId);
            query.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
            query.Parameters.AddWithValue("none", none);
            query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds());
            query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds());
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
        using var connection = _dataSource.OpenConnection();
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
        using var projects = Command(connection, "SELECT id, name, created FROM projects ORDER BY name COLLATE \"C\"");
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
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, "SELECT id FROM projects WHERE name = @n");
        query.Parameters.AddWithValue("n", name);
        return query.ExecuteScalar() is long id ? id : null;
    }

    /// <inheritdoc />
    public IReadOnlyList<LegacyIngestKey> GetLegacyIngestKeys()
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, "SELECT key_id, project_id, hash, created, revoked FROM ingest_keys ORDER BY created, key_id COLLATE \"C\"");
        using var reader = query.ExecuteReader();
        var result = new List<LegacyIngestKey>();
        while (reader.Read())
            result.Add(new LegacyIngestKey(reader.GetString(0), reader.GetInt64(1), reader.GetFieldValue<byte[]>(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), reader.GetBoolean(4)));
        return result;
    }

    /// <inheritdoc />
    public IReadOnlyList<UserRow> GetUsers()
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, "SELECT username, created FROM users ORDER BY username COLLATE \"C\"");
        using var reader = query.ExecuteReader();
        var result = new List<UserRow>();
        while (reader.Read()) result.Add(new UserRow(reader.GetString(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1))));
        return result;
    }

    /// <inheritdoc />
    public bool SetPassword(string username, string newPassword)
    {
        using var connection = _dataSource.OpenConnection();
        using var update = Command(connection, "UPDATE users SET password_hash = @h WHERE username = @u");
        update.Parameters.AddWithValue("u", username);
        update.Parameters.AddWithValue("h", PasswordHasher.Hash(newPassword));
        return update.ExecuteNonQuery() == 1;
    }

    /// <summary>The dashboard rows one batch's new records add, keyed (and so written) in key order.</summary>
    private sealed class DashboardDelta
    {
        public readonly SortedDictionary<(string Fingerprint, long Minute, string Method, string Route, string Consumer), long> Errors = new(TupleOrdinal.Errors);
        public readonly List<(string Fingerprint, long Ts, Guid Id)> Samples = [];
        public readonly SortedDictionary<(long Minute, string Environment, string Host, string Method, int Status), OutgoingDelta> Outgoing = new(TupleOrdinal.Outgoing);
    }

    private sealed class OutgoingDelta
    {
        public long Count, Errors;
        public double Sum, Max;
        public readonly long[] Counts = new long[s_latencyLength];
    }

    /// <summary>Ordinal (culture-independent) orderings of the dashboard delta keys.</summary>
    private static class TupleOrdinal
    {
        public static readonly Comparer<(string Fingerprint, long Minute, string Method, string Route, string Consumer)> Errors = Comparer<(string, long, string, string, string)>.Create((a, b) =>
        {
            var c = string.CompareOrdinal(a.Item1, b.Item1);
            if (c == 0) c = a.Item2.CompareTo(b.Item2);
            if (c == 0) c = string.CompareOrdinal(a.Item3, b.Item3);
            if (c == 0) c = string.CompareOrdinal(a.Item4, b.Item4);
            if (c == 0) c = string.CompareOrdinal(a.Item5, b.Item5);
            return c;
        });

        public static readonly Comparer<(long Minute, string Environment, string Host, string Method, int Status)> Outgoing = Comparer<(long, string, string, string, int)>.Create((a, b) =>
        {
            var c = a.Item1.CompareTo(b.Item1);
            if (c == 0) c = string.CompareOrdinal(a.Item2, b.Item2);
            if (c == 0) c = string.CompareOrdinal(a.Item3, b.Item3);
            if (c == 0) c = string.CompareOrdinal(a.Item4, b.Item4);
            if (c == 0) c = a.Item5.CompareTo(b.Item5);
            return c;
        });
    }
}
