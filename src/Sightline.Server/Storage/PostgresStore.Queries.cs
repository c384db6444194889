using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Sightline.Protocol.Wire;
using Sightline.Server.Query;

namespace Sightline.Server.Storage;

public sealed partial class PostgresStore
{
    /// <summary>Per-bucket sums of the latency histograms, as SQL (built once from a constant; PostgreSQL arrays are 1-based).</summary>
    private static readonly string s_bucketSums = string.Join(", ", Enumerable.Range(1, s_latencyLength).Select(i => $"sum(duration_counts[{i}])::bigint"));

    /// <summary>
    /// Overview for a range, from the rollups only. PostgreSQL sums them per minute, per endpoint and
    /// in total in one pass (GROUPING SETS, histograms bucket by bucket), so the rows sent back do
    /// not grow with consumers, statuses or environments.
    /// </summary>
    public Overview GetOverview(long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, $"""
            SELECT GROUPING(minute), GROUPING(method, route), minute, method, route, sum(count)::bigint, sum(errors)::bigint, max(duration_max),
                sum(response_size_sum), {s_bucketSums}
            FROM rollups WHERE project_id = @p AND minute >= @from AND minute < @to
            GROUP BY GROUPING SETS ((minute), (method, route), ())
            """);
        AddRange(query, projectId, from, to);
        var series = new List<TimePoint>();
        var endpoints = new List<EndpointStats>();
        var total = new RollupAccumulator();
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                var acc = new RollupAccumulator();
                acc.Add(ReadSummed(reader, 5));
                if (reader.GetInt32(0) == 0)
                {
                    series.Add(new TimePoint(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), acc.Count, acc.Errors, acc.Quantile(0.5), acc.Quantile(0.95), acc.Quantile(0.99)));
                }
                else if (reader.GetInt32(1) == 0)
                {
                    endpoints.Add(acc.ToStats(reader.GetString(3), reader.GetString(4), false));
                }
                else if (!reader.IsDBNull(5))
                {
                    total = acc;
                }
            }
        }
        series.Sort((a, b) => a.Minute.CompareTo(b.Minute));
        var top = endpoints.OrderByDescending(s => s.Requests).Take(10).ToList();
        return new Overview(from, to, total.Count, total.Errors, total.Count == 0 ? 0 : (double)total.Errors / total.Count,
            total.Quantile(0.5), total.Quantile(0.95), total.Quantile(0.99), total.Count == 0 ? 0 : total.Bytes / total.Count, series, top);
    }

    private static void AddRange(NpgsqlCommand query, long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        query.Parameters.AddWithValue("p", projectId);
        query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds());
    }

    /// <summary>Reads count, errors, max, response bytes and the bucket sums starting at column <paramref name="first"/>.</summary>
    private static RollupRow ReadSummed(NpgsqlDataReader reader, int first)
    {
        if (reader.IsDBNull(first)) return new RollupRow(0, "", "", 0, 0, 0, [], 0);
        var counts = new long[s_latencyLength];
        for (var i = 0; i < counts.Length; i++) counts[i] = reader.IsDBNull(first + 4 + i) ? 0 : reader.GetInt64(first + 4 + i);
        return new RollupRow(0, "", "", reader.GetInt64(first), reader.GetInt64(first + 1), reader.GetDouble(first + 2), counts, reader.GetDouble(first + 3));
    }

    /// <summary>Every endpoint (inventory and traffic) with its numbers for the range (summed in PostgreSQL).</summary>
    public IReadOnlyList<EndpointStats> GetEndpoints(long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = _dataSource.OpenConnection();
        var result = new Dictionary<(string, string), RollupAccumulator>();
        using (var query = Command(connection, $"""
            SELECT method, route, sum(count)::bigint, sum(errors)::bigint, max(duration_max), sum(response_size_sum), {s_bucketSums}
            FROM rollups WHERE project_id = @p AND minute >= @from AND minute < @to GROUP BY method, route
            """))
        {
            AddRange(query, projectId, from, to);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var acc = new RollupAccumulator();
                acc.Add(ReadSummed(reader, 2));
                result[(reader.GetString(0), reader.GetString(1))] = acc;
            }
        }
        var inventory = new HashSet<(string, string)>();
        using (var query = Command(connection, "SELECT method, route FROM endpoints WHERE project_id = @p AND source = 'inventory'"))
        {
            query.Parameters.AddWithValue("p", projectId);
            using var reader = query.ExecuteReader();
            while (reader.Read())
            {
                var key = (reader.GetString(0), reader.GetString(1));
                inventory.Add(key);
                result.TryAdd(key, new RollupAccumulator());
            }
        }
        return result.Select(kv => kv.Value.ToStats(kv.Key.Item1, kv.Key.Item2, inventory.Contains(kv.Key)))
            .OrderByDescending(s => s.Requests).ThenBy(s => s.Route, StringComparer.Ordinal).ToList();
    }

    /// <summary>One page of the request log, newest first; cursor pagination on (timestamp, id).</summary>
    public RequestPage SearchRequests(long projectId, RequestFilter filter)
    {
        using var connection = _dataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        // The newest rows are always newer than the statistics, so PostgreSQL underestimates how many
        // fall in a recent range and picks a bitmap scan plus a sort of the whole range. Walking the
        // (project, ts, id) index backwards and stopping at the page size is right for every filter here.
        using (var planner = Command(connection, "SET LOCAL enable_bitmapscan = off; SET LOCAL enable_sort = off", tx))
            planner.ExecuteNonQuery();
        using var query = connection.CreateCommand();
        query.Transaction = tx;
        // Only fixed SQL fragments are appended; every value is a parameter.
        var sql = new StringBuilder("""
            SELECT id, ts, method, route, path, status, duration_ns, request_size, response_size, consumer, has_error, client_ip
            FROM records WHERE project_id = @p AND direction = 'incoming'
            """);
        query.Parameters.AddWithValue("p", projectId);
        if (filter.From is { } from) { sql.Append(" AND ts >= @from"); query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds()); }
        if (filter.To is { } to) { sql.Append(" AND ts < @to"); query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds()); }
        if (filter.Route is { Length: > 0 }) { sql.Append(" AND route = @route"); query.Parameters.AddWithValue("route", filter.Route); }
        if (filter.Method is { Length: > 0 }) { sql.Append(" AND method = @method"); query.Parameters.AddWithValue("method", filter.Method.ToUpperInvariant()); }
        if (filter.StatusClass is { } sc) { sql.Append(" AND status >= @s1 AND status < @s2"); query.Parameters.AddWithValue("s1", sc * 100); query.Parameters.AddWithValue("s2", sc * 100 + 100); }
        if (filter.Consumer is { Length: > 0 }) { sql.Append(" AND consumer = @consumer"); query.Parameters.AddWithValue("consumer", filter.Consumer); }
        if (filter.Environment is { Length: > 0 }) { sql.Append(" AND environment = @env"); query.Parameters.AddWithValue("env", filter.Environment); }
        if (filter.PathContains is { Length: > 0 }) { sql.Append(" AND strpos(path, @q) > 0"); query.Parameters.AddWithValue("q", filter.PathContains); }
        if (filter.HasError is { } hasError) { sql.Append(" AND has_error = @err"); query.Parameters.AddWithValue("err", hasError); }
        if (filter.MinDurationMs is { } minMs) { sql.Append(" AND duration_ns >= @dur"); query.Parameters.AddWithValue("dur", (long)(minMs * 1_000_000)); }
        if (RequestCursor.Decode(filter.Cursor) is { } cursor)
        {
            sql.Append(" AND (ts, id) < (@cts, @cid)");
            query.Parameters.AddWithValue("cts", cursor.Ts);
            query.Parameters.AddWithValue("cid", cursor.Id);
        }
        var limit = Math.Clamp(filter.Limit, 1, 500);
        sql.Append(" ORDER BY ts DESC, id DESC LIMIT @limit");
        query.Parameters.AddWithValue("limit", limit + 1);
        query.CommandText = sql.ToString();
        var items = new List<RequestSummary>();
        using (var reader = query.ExecuteReader())
        {
            while (reader.Read())
            {
                items.Add(new RequestSummary(reader.GetGuid(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetString(2),
                    reader.GetString(3), reader.GetString(4), reader.GetInt32(5), reader.GetInt64(6) / 1_000_000.0, reader.GetInt64(7), reader.GetInt64(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetBoolean(10), reader.IsDBNull(11) ? null : reader.GetString(11)));
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
        using var connection = _dataSource.OpenConnection();
        // By id alone, so every partition is probed through its (id, ts) key: with project_id in the
        // WHERE, fresh partitions without statistics got a scan of the (project, ts, id) index instead.
        using var query = Command(connection, "SELECT project_id, body FROM records WHERE id = @id");
        query.Parameters.AddWithValue("id", id);
        using var reader = query.ExecuteReader();
        while (reader.Read())
            if (reader.GetInt64(0) == projectId) return JsonSerializer.Deserialize(reader.GetString(1), WireJsonContext.Default.RequestRecord);
        return null;
    }

    /// <summary>Error groups, most recent first.</summary>
    public IReadOnlyList<ErrorGroup> GetErrorGroups(long projectId, int limit = 100)
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, "SELECT fingerprint, type, message, first_seen, last_seen, count, last_record FROM error_groups WHERE project_id = @p ORDER BY last_seen DESC, fingerprint LIMIT @l");
        query.Parameters.AddWithValue("p", projectId);
        query.Parameters.AddWithValue("l", limit);
        using var reader = query.ExecuteReader();
        var result = new List<ErrorGroup>();
        while (reader.Read())
            result.Add(new ErrorGroup(reader.GetString(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        return result;
    }

    /// <summary>Consumers with their traffic in the range (from rollups).</summary>
    public IReadOnlyList<ConsumerStats> GetConsumers(long projectId, DateTimeOffset from, DateTimeOffset to, string? environment = null)
    {
        using var connection = _dataSource.OpenConnection();
        // With an environment, only its rollups count and consumers without traffic there are left out.
        using var query = Command(connection, """
            SELECT c.identifier, c.name, c.grp, coalesce(sum(r.count), 0)::bigint, coalesce(sum(r.errors), 0)::bigint, c.last_seen
            FROM consumers c LEFT JOIN rollups r ON r.project_id = c.project_id AND r.consumer = c.identifier AND r.minute >= @from AND r.minute < @to
                AND (@env::text IS NULL OR r.environment = @env::text)
            WHERE c.project_id = @p GROUP BY c.identifier, c.name, c.grp, c.last_seen
            HAVING @env::text IS NULL OR coalesce(sum(r.count), 0) > 0 ORDER BY 4 DESC, c.identifier LIMIT 500
            """);
        query.Parameters.AddWithValue("p", projectId);
        query.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
        query.Parameters.AddWithValue("from", from.ToUnixTimeMilliseconds() / 60_000 * 60_000);
        query.Parameters.AddWithValue("to", to.ToUnixTimeMilliseconds());
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
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, """
            SELECT ts, kind, reason, key_prefix, client_ip, method, path FROM security_events
            WHERE project_id = @p AND (@env::text IS NULL OR environment = @env::text) ORDER BY ts DESC LIMIT @l
            """);
        query.Parameters.AddWithValue("p", projectId);
        query.Parameters.Add(new NpgsqlParameter("env", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)environment ?? DBNull.Value });
        query.Parameters.AddWithValue("l", limit);
        using var reader = query.ExecuteReader();
        var result = new List<SecurityEventRow>();
        while (reader.Read())
            result.Add(new SecurityEventRow(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        return result;
    }

    /// <summary>SDK instances; silent when stopped or when no heartbeat came for three intervals.</summary>
    public IReadOnlyList<InstanceRow> GetInstances(long projectId, DateTimeOffset now)
    {
        using var connection = _dataSource.OpenConnection();
        using var query = Command(connection, "SELECT instance, service, version, environment, last_seen, interval_seconds, state FROM instances WHERE project_id = @p ORDER BY last_seen DESC LIMIT 200");
        query.Parameters.AddWithValue("p", projectId);
        using var reader = query.ExecuteReader();
        var result = new List<InstanceRow>();
        while (reader.Read())
        {
            var lastSeen = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4));
            var silent = reader.GetString(6) == "stopped" || now - lastSeen > TimeSpan.FromSeconds(3 * Math.Max(1, reader.GetInt32(5)));
            result.Add(new InstanceRow(reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), lastSeen, silent));
        }
        return result;
    }
}
