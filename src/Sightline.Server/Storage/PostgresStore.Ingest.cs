using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Storage;

public sealed partial class PostgresStore
{
    private const string RecordColumns = "id, project_id, ts, direction, method, route, path, status, duration_ns, request_size, response_size, consumer, client_ip, has_error, environment, service, host, parent_id, body";

    /// <summary>
    /// Stores a validated batch in one transaction: records by binary <c>COPY</c> straight into the table, or — when
    /// some are already stored (a retry) — by one <c>INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING</c>; consumers and error groups only from the records that
    /// were new; metrics, heartbeats and security events once per id. Rows that several servers may
    /// upsert at once are written in key order (no lock-order deadlocks); a deadlock or a dropped
    /// partition is retried.
    /// </summary>
    public async Task StoreAsync(long projectId, IngestBatch batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pending);
        try
        {
            var bodies = new string[batch.Records.Count];
            var days = new HashSet<long>();
            for (var i = 0; i < bodies.Length; i++)
            {
                bodies[i] = JsonSerializer.Serialize(batch.Records[i], StoredJson.Record);
                days.Add(DayOf(batch.Records[i].Timestamp.ToUnixTimeMilliseconds()));
            }
            for (var attempt = 1; ; attempt++)
            {
                await EnsurePartitionsAsync(days, cancellationToken).ConfigureAwait(false);
                try
                {
                    await StoreOnceAsync(projectId, batch, bodies, cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
                {
                    await Task.Delay(Random.Shared.Next(5, 50 * attempt), cancellationToken).ConfigureAwait(false);
                }
                catch (PostgresException e) when (attempt < 5 && e.SqlState is PostgresErrorCodes.CheckViolation && e.Message.Contains("no partition", StringComparison.Ordinal))
                {
                    _knownPartitions.Clear(); // retention on another server dropped a partition this one thought it had
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _pending);
        }
    }

    private async Task StoreOnceAsync(long projectId, IngestBatch batch, string[] bodies, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await using var connection = await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        await using var tx = await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        var consumers = new SortedDictionary<string, (string? Name, string? Group, long Ts)>(StringComparer.Ordinal);
        var errorGroups = new SortedDictionary<string, ErrorGroupDelta>(StringComparer.Ordinal);
        var dashboard = new DashboardDelta();
        if (batch.Records.Count > 0)
        {
            var inserted = await CopyRecordsAsync(connection, tx, projectId, batch, bodies, ct).ConfigureAwait(false)
                ?? await InsertRecordsAsync(connection, tx, projectId, batch, bodies, ct).ConfigureAwait(false);
            foreach (var record in batch.Records)
            {
                if (!inserted.Remove(record.Id)) continue; // already stored (a retry) or a duplicate in this batch
                var ts = record.Timestamp.ToUnixTimeMilliseconds();
                OnRecordStored(dashboard, batch, record);
                if (record.Consumer is { } c) MergeConsumer(consumers, c.Identifier, c.Name, c.Group, ts);
                foreach (var error in record.Errors ?? [])
                {
                    var key = error.Fingerprint ?? error.Type;
                    if (!errorGroups.TryGetValue(key, out var g)) errorGroups[key] = g = new ErrorGroupDelta(error.Type, ts);
                    g.Add(error.Message, ts, record.Id);
                }
            }
        }

        var applied = await MarkAppliedAsync(connection, tx, batch, now, ct).ConfigureAwait(false);
        var environment = batch.Service?.Environment ?? "";
        var rollups = new SortedDictionary<RollupKey, RollupDelta>();
        var endpoints = new SortedDictionary<(string Method, string Route), bool>();
        foreach (var snapshot in batch.Metrics)
        {
            if (!applied.Contains(snapshot.Id)) continue;
            var minute = snapshot.PeriodStart.ToUnixTimeMilliseconds() / 60_000 * 60_000;
            foreach (var series in snapshot.Series)
            {
                var key = new RollupKey(minute, environment, series.RouteTemplate, series.Method, series.Status, series.Consumer ?? "");
                if (!rollups.TryGetValue(key, out var delta)) rollups[key] = delta = new RollupDelta();
                delta.Add(series);
                endpoints.TryAdd((series.Method, series.RouteTemplate), false);
                if (series.Consumer is { } c) MergeConsumer(consumers, c, series.ConsumerName, series.ConsumerGroup, now);
            }
        }
        var instances = new SortedDictionary<string, (Heartbeat Heartbeat, ServiceInfo Service)>(StringComparer.Ordinal);
        foreach (var heartbeat in batch.Heartbeats)
        {
            if (!applied.Contains(heartbeat.Id)) continue;
            if ((heartbeat.Service ?? batch.Service) is not { } service) continue;
            if (!instances.TryGetValue(service.Instance, out var known) || known.Heartbeat.Timestamp <= heartbeat.Timestamp)
                instances[service.Instance] = (heartbeat, service);
            foreach (var route in heartbeat.Routes ?? []) endpoints[(route.Method, route.Template)] = true;
        }

        await UpsertRollupsAsync(connection, tx, projectId, rollups, ct).ConfigureAwait(false);
        await UpsertEndpointsAsync(connection, tx, projectId, endpoints, now, ct).ConfigureAwait(false);
        await UpsertConsumersAsync(connection, tx, projectId, consumers, ct).ConfigureAwait(false);
        await UpsertErrorGroupsAsync(connection, tx, projectId, errorGroups, ct).ConfigureAwait(false);
        await UpsertDashboardAsync(connection, tx, projectId, dashboard, ct).ConfigureAwait(false);
        await UpsertInstancesAsync(connection, tx, projectId, instances, ct).ConfigureAwait(false);
        await InsertSecurityEventsAsync(connection, tx, projectId, batch.Service?.Environment, batch.SecurityEvents, ct).ConfigureAwait(false);
        await tx.CommitAsync(ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The common case — a batch none of whose records is stored yet — by binary <c>COPY</c> straight into
    /// <c>records</c> (no staging table), inside a savepoint. Returns every id of the batch, or null when some record
    /// is already stored (a retried batch, or an id twice in the batch: the key <c>(id, ts)</c> refuses the COPY); the
    /// savepoint is then rolled back and <see cref="InsertRecordsAsync"/> stores only the new ones.
    /// </summary>
    private static async Task<HashSet<Guid>?> CopyRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, IngestBatch batch, string[] bodies, CancellationToken ct)
    {
        const string Savepoint = "records_copy";
        await tx.SaveAsync(Savepoint, ct).ConfigureAwait(false);
        var ids = new HashSet<Guid>(batch.Records.Count);
        try
        {
            await using (var copy = await connection.BeginBinaryImportAsync($"COPY records ({RecordColumns}) FROM STDIN (FORMAT BINARY)", ct).ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Records.Count; i++)
                {
                    var record = batch.Records[i];
                    var info = record.Service ?? batch.Service;
                    ids.Add(record.Id);
                    await copy.StartRowAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Id, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                    await copy.WriteAsync(projectId, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Timestamp.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Direction, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Method, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.RouteTemplate, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Path, NpgsqlDbType.Text, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.Status, NpgsqlDbType.Integer, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.DurationNs, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.RequestSize, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await copy.WriteAsync(record.ResponseSize, NpgsqlDbType.Bigint, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, record.Consumer?.Identifier, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, record.ClientIp, ct).ConfigureAwait(false);
                    await copy.WriteAsync(StoredRecord.HasError(record), NpgsqlDbType.Boolean, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, info?.Environment, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, info?.Name, ct).ConfigureAwait(false);
                    await WriteNullableAsync(copy, record.Host, ct).ConfigureAwait(false);
                    if (record.ParentId is { } parent) await copy.WriteAsync(parent, NpgsqlDbType.Uuid, ct).ConfigureAwait(false);
                    else await copy.WriteNullAsync(ct).ConfigureAwait(false);
                    await copy.WriteAsync(bodies[i], NpgsqlDbType.Text, ct).ConfigureAwait(false);
                }
                await copy.CompleteAsync(ct).ConfigureAwait(false);
            }
            return ids;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(Savepoint, ct).ConfigureAwait(false);
            return null;
        }

        static Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken ct) =>
            value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, NpgsqlDbType.Text, ct);
    }

    /// <summary>
    /// Inserts the batch's records in one statement (a retried batch, see <see cref="CopyRecordsAsync"/>): the columns go as 19 binary arrays and
    /// <c>unnest</c> turns them back into rows, so a batch is one round trip and no temporary table
    /// (creating and dropping a staging table per batch wrote the system catalogs every time).
    /// Returns the ids that were new.
    /// </summary>
    private static async Task<HashSet<Guid>> InsertRecordsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, IngestBatch batch, string[] bodies, CancellationToken ct)
    {
        var n = batch.Records.Count;
        var id = new Guid[n];
        var ts = new long[n];
        string[] direction = new string[n], method = new string[n], route = new string[n], path = new string[n];
        var status = new int[n];
        long[] duration = new long[n], requestSize = new long[n], responseSize = new long[n];
        string?[] consumer = new string?[n], clientIp = new string?[n], environment = new string?[n], service = new string?[n], host = new string?[n];
        var hasError = new bool[n];
        var parent = new Guid?[n];
        for (var i = 0; i < n; i++)
        {
            var record = batch.Records[i];
            var info = record.Service ?? batch.Service;
            id[i] = record.Id;
            ts[i] = record.Timestamp.ToUnixTimeMilliseconds();
            direction[i] = record.Direction;
            method[i] = record.Method;
            route[i] = record.RouteTemplate;
            path[i] = record.Path;
            status[i] = record.Status;
            duration[i] = record.DurationNs;
            requestSize[i] = record.RequestSize;
            responseSize[i] = record.ResponseSize;
            consumer[i] = record.Consumer?.Identifier;
            clientIp[i] = record.ClientIp;
            hasError[i] = StoredRecord.HasError(record);
            environment[i] = info?.Environment;
            service[i] = info?.Name;
            host[i] = record.Host;
            parent[i] = record.ParentId;
        }
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO records ({RecordColumns})
            SELECT id, $1, ts, direction, method, route, path, status, duration_ns, request_size, response_size, consumer, client_ip, has_error,
                environment, service, host, parent_id, body
            FROM unnest($2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
                AS u(id, ts, direction, method, route, path, status, duration_ns, request_size, response_size, consumer, client_ip, has_error,
                    environment, service, host, parent_id, body)
            ON CONFLICT DO NOTHING RETURNING id
            """, connection, tx);
        var p = insert.Parameters;
        p.Add(new NpgsqlParameter<long> { TypedValue = projectId });
        p.Add(new NpgsqlParameter<Guid[]> { TypedValue = id });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = ts });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = direction });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = method });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = route });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = path });
        p.Add(new NpgsqlParameter<int[]> { TypedValue = status });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = duration });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = requestSize });
        p.Add(new NpgsqlParameter<long[]> { TypedValue = responseSize });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = consumer, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = clientIp, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<bool[]> { TypedValue = hasError });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = environment, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = service, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<string?[]> { TypedValue = host, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter<Guid?[]> { TypedValue = parent, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        p.Add(new NpgsqlParameter<string[]> { TypedValue = bodies });
        var inserted = new HashSet<Guid>();
        await using var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) inserted.Add(reader.GetGuid(0));
        return inserted;
    }

    private static void MergeConsumer(IDictionary<string, (string? Name, string? Group, long Ts)> consumers, string identifier, string? name, string? group, long ts)
        => ErrorGroupDelta.MergeConsumer(consumers, identifier, name, group, ts);

    /// <summary>Records metric snapshot and heartbeat ids; returns the ids that were new (their effects are applied once).</summary>
    private static async Task<HashSet<Guid>> MarkAppliedAsync(NpgsqlConnection connection, NpgsqlTransaction tx, IngestBatch batch, long now, CancellationToken ct)
    {
        var ids = new List<Guid>(batch.Metrics.Count + batch.Heartbeats.Count);
        foreach (var m in batch.Metrics) ids.Add(m.Id);
        foreach (var h in batch.Heartbeats) ids.Add(h.Id);
        var applied = new HashSet<Guid>();
        if (ids.Count == 0) return applied;
        ids.Sort();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO applied_items (id, ts) SELECT DISTINCT i, @ts FROM unnest(@ids) AS i ORDER BY i ON CONFLICT DO NOTHING RETURNING id", connection, tx);
        insert.Parameters.AddWithValue("ids", ids.ToArray());
        insert.Parameters.AddWithValue("ts", now);
        await using var reader = await insert.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false)) applied.Add(reader.GetGuid(0));
        return applied;
    }

    private static async Task UpsertRollupsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, SortedDictionary<RollupKey, RollupDelta> rollups, CancellationToken ct)
    {
        if (rollups.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var (key, delta) in rollups)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO rollups AS r (project_id, minute, environment, route, method, status, consumer, count, errors, duration_sum, duration_max,
                    duration_counts, request_size_sum, response_size_sum, response_size_counts)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                ON CONFLICT (project_id, minute, environment, route, method, status, consumer) DO UPDATE SET
                    count = r.count + excluded.count, errors = r.errors + excluded.errors,
                    duration_sum = r.duration_sum + excluded.duration_sum, duration_max = greatest(r.duration_max, excluded.duration_max),
                    duration_counts = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(r.duration_counts, excluded.duration_counts) WITH ORDINALITY AS t(a, b, n) ORDER BY n),
                    request_size_sum = r.request_size_sum + excluded.request_size_sum, response_size_sum = r.response_size_sum + excluded.response_size_sum,
                    response_size_counts = ARRAY(SELECT coalesce(a, 0) + coalesce(b, 0) FROM unnest(r.response_size_counts, excluded.response_size_counts) WITH ORDINALITY AS t(a, b, n) ORDER BY n)
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key.Minute });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Environment });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Route });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Method });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = key.Status });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.Consumer });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = delta.Count });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = delta.Errors });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delta.DurationSum });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delta.DurationMax });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = delta.Duration });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delta.RequestSum });
            command.Parameters.Add(new NpgsqlParameter<double> { TypedValue = delta.ResponseSum });
            command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = delta.Size });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpsertEndpointsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, SortedDictionary<(string Method, string Route), bool> endpoints, long now, CancellationToken ct)
    {
        if (endpoints.Count == 0) return;
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO endpoints AS e (project_id, method, route, source, last_seen)
            SELECT @p, m, r, s, @ts FROM unnest(@m, @r, @s) WITH ORDINALITY AS t(m, r, s, n) ORDER BY n
            ON CONFLICT (project_id, method, route) DO UPDATE SET last_seen = greatest(e.last_seen, excluded.last_seen),
                source = CASE WHEN excluded.source = 'inventory' THEN 'inventory' ELSE e.source END
            """, connection, tx);
        upsert.Parameters.AddWithValue("p", projectId);
        upsert.Parameters.AddWithValue("ts", now);
        upsert.Parameters.AddWithValue("m", endpoints.Keys.Select(k => k.Method).ToArray());
        upsert.Parameters.AddWithValue("r", endpoints.Keys.Select(k => k.Route).ToArray());
        upsert.Parameters.AddWithValue("s", endpoints.Values.Select(inventory => inventory ? "inventory" : "traffic").ToArray());
        await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpsertConsumersAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, SortedDictionary<string, (string? Name, string? Group, long Ts)> consumers, CancellationToken ct)
    {
        if (consumers.Count == 0) return;
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO consumers AS c (project_id, identifier, name, grp, last_seen)
            SELECT @p, i, n, g, ts FROM unnest(@i, @n, @g, @ts) WITH ORDINALITY AS t(i, n, g, ts, o) ORDER BY o
            ON CONFLICT (project_id, identifier) DO UPDATE SET name = coalesce(excluded.name, c.name), grp = coalesce(excluded.grp, c.grp),
                last_seen = greatest(c.last_seen, excluded.last_seen)
            """, connection, tx);
        upsert.Parameters.AddWithValue("p", projectId);
        upsert.Parameters.AddWithValue("i", consumers.Keys.ToArray());
        upsert.Parameters.Add(new NpgsqlParameter<string?[]>("n", consumers.Values.Select(v => v.Name).ToArray()));
        upsert.Parameters.Add(new NpgsqlParameter<string?[]>("g", consumers.Values.Select(v => v.Group).ToArray()));
        upsert.Parameters.AddWithValue("ts", consumers.Values.Select(v => v.Ts).ToArray());
        await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpsertErrorGroupsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, SortedDictionary<string, ErrorGroupDelta> groups, CancellationToken ct)
    {
        if (groups.Count == 0) return;
        await using var upsert = new NpgsqlCommand("""
            INSERT INTO error_groups AS g (project_id, fingerprint, type, message, first_seen, last_seen, count, last_record)
            SELECT @p, f, t, m, fs, ls, c, r FROM unnest(@f, @t, @m, @fs, @ls, @c, @r) WITH ORDINALITY AS u(f, t, m, fs, ls, c, r, o) ORDER BY o
            ON CONFLICT (project_id, fingerprint) DO UPDATE SET count = g.count + excluded.count,
                first_seen = least(g.first_seen, excluded.first_seen), last_seen = greatest(g.last_seen, excluded.last_seen),
                message = CASE WHEN excluded.last_seen >= g.last_seen THEN excluded.message ELSE g.message END,
                last_record = CASE WHEN excluded.last_seen >= g.last_seen THEN excluded.last_record ELSE g.last_record END
            """, connection, tx);
        upsert.Parameters.AddWithValue("p", projectId);
        upsert.Parameters.AddWithValue("f", groups.Keys.ToArray());
        upsert.Parameters.AddWithValue("t", groups.Values.Select(g => g.Type).ToArray());
        upsert.Parameters.AddWithValue("m", groups.Values.Select(g => g.Message).ToArray());
        upsert.Parameters.AddWithValue("fs", groups.Values.Select(g => g.FirstSeen).ToArray());
        upsert.Parameters.AddWithValue("ls", groups.Values.Select(g => g.LastSeen).ToArray());
        upsert.Parameters.AddWithValue("c", groups.Values.Select(g => g.Count).ToArray());
        upsert.Parameters.AddWithValue("r", groups.Values.Select(g => g.LastRecord).ToArray());
        await upsert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task UpsertInstancesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, SortedDictionary<string, (Heartbeat Heartbeat, ServiceInfo Service)> instances, CancellationToken ct)
    {
        if (instances.Count == 0) return;
        await using var batch = new NpgsqlBatch(connection, tx);
        foreach (var (instance, (heartbeat, service)) in instances)
        {
            var command = new NpgsqlBatchCommand("""
                INSERT INTO instances AS i (project_id, instance, service, version, environment, sdk_version, runtime, interval_seconds, last_seen, state)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (project_id, instance) DO UPDATE SET
                    state = CASE WHEN excluded.last_seen >= i.last_seen THEN excluded.state ELSE i.state END,
                    interval_seconds = CASE WHEN excluded.last_seen >= i.last_seen THEN excluded.interval_seconds ELSE i.interval_seconds END,
                    version = CASE WHEN excluded.last_seen >= i.last_seen THEN excluded.version ELSE i.version END,
                    last_seen = greatest(i.last_seen, excluded.last_seen)
                """);
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = projectId });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instance });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = service.Name });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)service.Version ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)service.Environment ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)service.SdkVersion ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)service.Runtime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = heartbeat.IntervalSeconds });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = heartbeat.Timestamp.ToUnixTimeMilliseconds() });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = heartbeat.Kind == "shutdown" ? "stopped" : "running" });
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static async Task InsertSecurityEventsAsync(NpgsqlConnection connection, NpgsqlTransaction tx, long projectId, string? environment,
        List<SecurityEvent> events, CancellationToken ct)
    {
        if (events.Count == 0) return;
        await using var insert = new NpgsqlCommand("""
            INSERT INTO security_events (id, project_id, ts, kind, reason, key_prefix, client_ip, method, path, environment)
            SELECT id, @p, ts, k, r, kp, ip, m, pa, @env FROM unnest(@id, @ts, @k, @r, @kp, @ip, @m, @pa) AS u(id, ts, k, r, kp, ip, m, pa)
            ON CONFLICT (id) DO NOTHING
            """, connection, tx);
        insert.Parameters.AddWithValue("p", projectId);
        insert.Parameters.Add(new NpgsqlParameter("env", NpgsqlDbType.Text) { Value = environment is { Length: > 0 } ? environment : (object)DBNull.Value });
        insert.Parameters.AddWithValue("id", events.Select(e => e.Id).ToArray());
        insert.Parameters.AddWithValue("ts", events.Select(e => e.Timestamp.ToUnixTimeMilliseconds()).ToArray());
        insert.Parameters.AddWithValue("k", events.Select(e => e.Kind).ToArray());
        insert.Parameters.AddWithValue("r", events.Select(e => e.Reason).ToArray());
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("kp", events.Select(e => e.KeyPrefix).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("ip", events.Select(e => e.ClientIp).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("m", events.Select(e => e.Method).ToArray()));
        insert.Parameters.Add(new NpgsqlParameter<string?[]>("pa", events.Select(e => e.Path).ToArray()));
        await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private readonly record struct RollupKey(long Minute, string Environment, string Route, string Method, int Status, string Consumer) : IComparable<RollupKey>
    {
        public int CompareTo(RollupKey other)
        {
            var c = Minute.CompareTo(other.Minute);
            if (c == 0) c = string.CompareOrdinal(Environment, other.Environment);
            if (c == 0) c = string.CompareOrdinal(Route, other.Route);
            if (c == 0) c = string.CompareOrdinal(Method, other.Method);
            if (c == 0) c = Status.CompareTo(other.Status);
            if (c == 0) c = string.CompareOrdinal(Consumer, other.Consumer);
            return c;
        }
    }

    private sealed class RollupDelta
    {
        public long Count, Errors;
        public double DurationSum, DurationMax, RequestSum, ResponseSum;
        public readonly long[] Duration = new long[s_latencyLength];
        public readonly long[] Size = new long[s_sizeLength];

        public void Add(MetricSeries series)
        {
            Count += series.Count;
            Errors += series.ErrorCount;
            DurationSum += series.Duration.Sum;
            DurationMax = Math.Max(DurationMax, series.Duration.Max);
            RequestSum += series.RequestSize.Sum;
            ResponseSum += series.ResponseSize.Sum;
            HistogramText.AddInto(Duration, series.Duration.Counts);
            HistogramText.AddInto(Size, series.ResponseSize.Counts);
        }
    }
}
