using System.Data.Common;
using System.Globalization;
using Sightline.Protocol.Wire;
using Sightline.Server.Storage;

namespace Sightline.Server.Monitoring;

/// <summary>
/// The monitoring store over ADO.NET, shared by SQLite and PostgreSQL: the SQL is the common subset
/// of both (<c>@name</c> parameters, <c>ON CONFLICT</c>, <c>RETURNING</c>, partial unique indexes),
/// times are Unix milliseconds in <c>BIGINT</c> columns. Subclasses supply the connection, the id
/// column type and row locking. Every claim is one atomic <c>UPDATE … WHERE due … RETURNING</c>: under
/// PostgreSQL's READ COMMITTED a concurrent claimer re-checks the <c>WHERE</c> on the updated row and
/// gets nothing; SQLite has a single writer.
/// </summary>
internal abstract class SqlMonitoringStore : IMonitoringStore
{
    private static readonly int s_latencyLength = HistogramBuckets.LatencyMs.Length + 1;

    /// <summary>The tables, with <c>{ID}</c> standing for the dialect's auto-increment primary key.</summary>
    protected const string SchemaTemplate = """
        CREATE TABLE IF NOT EXISTS mon_checks (id {ID}, project_id BIGINT NOT NULL, name TEXT NOT NULL, url TEXT NOT NULL, method TEXT NOT NULL,
            expected_status BIGINT NOT NULL, timeout_ms BIGINT NOT NULL, interval_seconds BIGINT NOT NULL, body_contains TEXT, failure_threshold BIGINT NOT NULL,
            enabled BIGINT NOT NULL, created BIGINT NOT NULL, next_run BIGINT NOT NULL, state TEXT NOT NULL DEFAULT 'unknown',
            consecutive_failures BIGINT NOT NULL DEFAULT 0, first_failure BIGINT, last_checked BIGINT, last_status BIGINT, last_duration_ms DOUBLE PRECISION, last_error TEXT);
        CREATE INDEX IF NOT EXISTS ix_mon_checks_due ON mon_checks(next_run);
        CREATE TABLE IF NOT EXISTS mon_incidents (id {ID}, project_id BIGINT NOT NULL, target_kind TEXT NOT NULL, target_key TEXT NOT NULL,
            target_name TEXT NOT NULL, started BIGINT NOT NULL, ended BIGINT, reason TEXT NOT NULL);
        CREATE UNIQUE INDEX IF NOT EXISTS ux_mon_incidents_open ON mon_incidents(project_id, target_kind, target_key) WHERE ended IS NULL;
        CREATE INDEX IF NOT EXISTS ix_mon_incidents_started ON mon_incidents(project_id, started);
        CREATE TABLE IF NOT EXISTS mon_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, lease_until BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS mon_rules (id {ID}, project_id BIGINT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, environment TEXT, endpoint TEXT,
            check_id BIGINT, threshold DOUBLE PRECISION NOT NULL, window_minutes BIGINT NOT NULL, min_requests BIGINT NOT NULL, renotify_minutes BIGINT NOT NULL,
            channel_ids TEXT NOT NULL, enabled BIGINT NOT NULL, created BIGINT NOT NULL, state TEXT NOT NULL DEFAULT 'ok', state_since BIGINT NOT NULL,
            last_notified BIGINT, last_value DOUBLE PRECISION, message TEXT);
        CREATE TABLE IF NOT EXISTS mon_channels (id {ID}, project_id BIGINT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, url TEXT, email_to TEXT,
            secret TEXT, created BIGINT NOT NULL);
        CREATE TABLE IF NOT EXISTS mon_events (id {ID}, project_id BIGINT NOT NULL, rule_id BIGINT NOT NULL, rule_name TEXT NOT NULL, rule_kind TEXT NOT NULL,
            kind TEXT NOT NULL, message TEXT NOT NULL, value DOUBLE PRECISION, threshold DOUBLE PRECISION NOT NULL, environment TEXT, endpoint TEXT, ts BIGINT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_mon_events_project ON mon_events(project_id, ts);
        CREATE TABLE IF NOT EXISTS mon_deliveries (id {ID}, project_id BIGINT NOT NULL, event_id BIGINT NOT NULL, channel_id BIGINT NOT NULL,
            status TEXT NOT NULL, attempts BIGINT NOT NULL DEFAULT 0, next_attempt BIGINT, last_error TEXT, created BIGINT NOT NULL, delivered_at BIGINT);
        CREATE INDEX IF NOT EXISTS ix_mon_deliveries_due ON mon_deliveries(status, next_attempt);
        """;

    private const string CheckColumns = """
        id, project_id, name, url, method, expected_status, timeout_ms, interval_seconds, body_contains, failure_threshold, enabled, state,
        consecutive_failures, last_checked, last_status, last_duration_ms, last_error, created
        """;

    private const string RuleColumns = """
        id, project_id, name, kind, environment, endpoint, check_id, threshold, window_minutes, min_requests, renotify_minutes, channel_ids, enabled,
        state, state_since, last_notified, last_value, message, created
        """;

    private const string EventColumns = "id, project_id, rule_id, rule_name, rule_kind, kind, message, value, threshold, environment, endpoint, ts";

    /// <summary>Opens a connection (the caller disposes it).</summary>
    protected abstract DbConnection Open();

    /// <summary><c> FOR UPDATE</c> where the database has row locks (PostgreSQL); empty for SQLite.</summary>
    protected abstract string ForUpdate { get; }

    // ---- helpers ----

    protected static DbCommand Command(DbConnection connection, string sql, DbTransaction? tx, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        return command;
    }

    private int Execute(string sql, params (string, object?)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, null, parameters);
        return command.ExecuteNonQuery();
    }

    private List<T> Query<T>(string sql, Func<DbDataReader, T> map, params (string, object?)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, null, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(map(reader));
        return result;
    }

    // A read before a claiming UPDATE: when nothing is due (almost every tick) no write lock is taken, so the
    // monitors do not queue behind ingest on SQLite's single writer.
    private bool Any(string sql, long now)
    {
        using var connection = Open();
        using var command = Command(connection, sql, null, ("@now", now));
        return command.ExecuteScalar() is not null;
    }

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();
    private static DateTimeOffset Time(DbDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture));
    private static DateTimeOffset? TimeOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);
    private static long Long(DbDataReader r, int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);
    private static long? LongOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Long(r, i);
    private static double? DoubleOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);
    private static string? StringOrNull(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    // ---- checks ----

    public long CreateCheck(long projectId, CheckDefinition d, DateTimeOffset now)
    {
        using var connection = Open();
        using var insert = Command(connection, """
            INSERT INTO mon_checks (project_id, name, url, method, expected_status, timeout_ms, interval_seconds, body_contains, failure_threshold, enabled, created, next_run)
            VALUES (@p, @name, @url, @method, @status, @timeout, @interval, @body, @threshold, @enabled, @now, @now) RETURNING id
            """, null, ("@p", projectId), ("@name", d.Name), ("@url", d.Url), ("@method", d.Method), ("@status", (long)d.ExpectedStatus),
            ("@timeout", (long)d.TimeoutMs), ("@interval", (long)d.IntervalSeconds), ("@body", d.BodyContains), ("@threshold", (long)d.FailureThreshold),
            ("@enabled", d.Enabled ? 1L : 0L), ("@now", Ms(now)));
        return Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public bool UpdateCheck(long projectId, long id, CheckDefinition d, DateTimeOffset now)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var update = Command(connection, """
            UPDATE mon_checks SET name = @name, url = @url, method = @method, expected_status = @status, timeout_ms = @timeout, interval_seconds = @interval,
                body_contains = @body, failure_threshold = @threshold, enabled = @enabled, next_run = @now
            WHERE id = @id AND project_id = @p
            """, tx, ("@p", projectId), ("@id", id), ("@name", d.Name), ("@url", d.Url), ("@method", d.Method), ("@status", (long)d.ExpectedStatus),
            ("@timeout", (long)d.TimeoutMs), ("@interval", (long)d.IntervalSeconds), ("@body", d.BodyContains), ("@threshold", (long)d.FailureThreshold),
            ("@enabled", d.Enabled ? 1L : 0L), ("@now", Ms(now)));
        if (update.ExecuteNonQuery() != 1) return false;
        if (!d.Enabled)
        {
            // A paused check is neither up nor down: its open incident ends now and its streak restarts when it is enabled again.
            CloseIncident(connection, tx, projectId, "check", id.ToString(CultureInfo.InvariantCulture), Ms(now));
            using var reset = Command(connection, "UPDATE mon_checks SET state = 'unknown', consecutive_failures = 0, first_failure = NULL WHERE id = @id", tx, ("@id", id));
            reset.ExecuteNonQuery();
        }
        tx.Commit();
        return true;
    }

    public bool DeleteCheck(long projectId, long id, DateTimeOffset now)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        using var delete = Command(connection, "DELETE FROM mon_checks WHERE id = @id AND project_id = @p", tx, ("@id", id), ("@p", projectId));
        var deleted = delete.ExecuteNonQuery() == 1;
        if (!deleted) return false; // unknown, or another project's check: nothing changes
        // An open incident of a deleted check would never close; history stays.
        using var close = Command(connection, "UPDATE mon_incidents SET ended = @now WHERE project_id = @p AND target_kind = 'check' AND target_key = @k AND ended IS NULL",
            tx, ("@now", Ms(now)), ("@p", projectId), ("@k", id.ToString(CultureInfo.InvariantCulture)));
        close.ExecuteNonQuery();
        tx.Commit();
        return true;
    }

    public UptimeCheck? GetCheck(long projectId, long id)
        => Query($"SELECT {CheckColumns} FROM mon_checks WHERE id = @id AND project_id = @p", ReadCheck, ("@id", id), ("@p", projectId)).FirstOrDefault();

    public IReadOnlyList<UptimeCheck> GetChecks(long projectId)
        => Query($"SELECT {CheckColumns} FROM mon_checks WHERE project_id = @p ORDER BY name, id", ReadCheck, ("@p", projectId));

    public IReadOnlyList<UptimeCheck> ClaimDueChecks(DateTimeOffset now, int max) => !Any("SELECT 1 FROM mon_checks WHERE enabled = 1 AND next_run <= @now LIMIT 1", Ms(now)) ? [] : Query($"""
        UPDATE mon_checks SET next_run = @now + interval_seconds * 1000
        WHERE enabled = 1 AND next_run <= @now
          AND id IN (SELECT id FROM mon_checks WHERE enabled = 1 AND next_run <= @now ORDER BY next_run LIMIT @max)
        RETURNING {CheckColumns}
        """, ReadCheck, ("@now", Ms(now)), ("@max", (long)max));

    private static UptimeCheck ReadCheck(DbDataReader r) => new(Long(r, 0), Long(r, 1),
        new CheckDefinition(r.GetString(2), r.GetString(3), r.GetString(4), (int)Long(r, 5), (int)Long(r, 6), (int)Long(r, 7), StringOrNull(r, 8), (int)Long(r, 9), Long(r, 10) == 1),
        r.GetString(11), (int)Long(r, 12), TimeOrNull(r, 13), (int?)LongOrNull(r, 14), DoubleOrNull(r, 15), StringOrNull(r, 16), Time(r, 17));

    public CheckTransition RecordCheckResult(long checkId, CheckResult result)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        long projectId;
        string name, state;
        long failures, threshold;
        long? firstFailure;
        using (var read = Command(connection, $"SELECT project_id, name, state, consecutive_failures, failure_threshold, first_failure FROM mon_checks WHERE id = @id{ForUpdate}",
            tx, ("@id", checkId)))
        using (var reader = read.ExecuteReader())
        {
            if (!reader.Read()) return new CheckTransition(null, null, "deleted");
            projectId = Long(reader, 0);
            name = reader.GetString(1);
            state = reader.GetString(2);
            failures = Long(reader, 3);
            threshold = Long(reader, 4);
            firstFailure = LongOrNull(reader, 5);
        }
        long? opened = null, closed = null;
        var key = checkId.ToString(CultureInfo.InvariantCulture);
        if (result.Ok)
        {
            failures = 0;
            firstFailure = null;
            if (state == "down") closed = CloseIncident(connection, tx, projectId, "check", key, Ms(result.At));
            state = "up";
        }
        else
        {
            failures++;
            firstFailure ??= Ms(result.At);
            if (failures >= threshold && state != "down")
            {
                // The incident starts at the first failure of the streak, not when it was confirmed.
                opened = OpenIncident(connection, tx, projectId, "check", key, name, firstFailure.Value, result.Error ?? "failed");
                state = "down";
            }
        }
        using (var update = Command(connection, """
            UPDATE mon_checks SET state = @state, consecutive_failures = @failures, first_failure = @first, last_checked = @at, last_status = @status,
                last_duration_ms = @duration, last_error = @error WHERE id = @id
            """, tx, ("@state", state), ("@failures", failures), ("@first", firstFailure), ("@at", Ms(result.At)), ("@status", (long?)result.Status),
            ("@duration", result.DurationMs), ("@error", result.Error), ("@id", checkId)))
        {
            update.ExecuteNonQuery();
        }
        tx.Commit();
        return new CheckTransition(opened, closed, state);
    }

    // ---- incidents ----

    public long? OpenIncident(long projectId, string targetKind, string targetKey, string targetName, DateTimeOffset started, string reason)
    {
        using var connection = Open();
        return OpenIncident(connection, null, projectId, targetKind, targetKey, targetName, Ms(started), reason);
    }

    private static long? OpenIncident(DbConnection connection, DbTransaction? tx, long projectId, string kind, string key, string name, long started, string reason)
    {
        using var insert = Command(connection, """
            INSERT INTO mon_incidents (project_id, target_kind, target_key, target_name, started, reason) VALUES (@p, @kind, @key, @name, @started, @reason)
            ON CONFLICT DO NOTHING RETURNING id
            """, tx, ("@p", projectId), ("@kind", kind), ("@key", key), ("@name", name), ("@started", started), ("@reason", reason));
        var id = insert.ExecuteScalar();
        return id is null or DBNull ? null : Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    public long? CloseIncident(long projectId, string targetKind, string targetKey, DateTimeOffset ended)
    {
        using var connection = Open();
        return CloseIncident(connection, null, projectId, targetKind, targetKey, Ms(ended));
    }

    private static long? CloseIncident(DbConnection connection, DbTransaction? tx, long projectId, string kind, string key, long ended)
    {
        // An incident never ends before it started (a heartbeat can carry an older timestamp).
        using var update = Command(connection, """
            UPDATE mon_incidents SET ended = CASE WHEN started > @ended THEN started ELSE @ended END
            WHERE project_id = @p AND target_kind = @kind AND target_key = @key AND ended IS NULL RETURNING id
            """, tx, ("@ended", ended), ("@p", projectId), ("@kind", kind), ("@key", key));
        var id = update.ExecuteScalar();
        return id is null or DBNull ? null : Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<Incident> GetOpenIncidents(long projectId) => Query(
        "SELECT id, project_id, target_kind, target_key, target_name, started, ended, reason FROM mon_incidents WHERE project_id = @p AND ended IS NULL ORDER BY started DESC",
        ReadIncident, ("@p", projectId));

    public IReadOnlyList<Incident> GetIncidents(long projectId, DateTimeOffset from, DateTimeOffset to, string? targetKind = null, string? targetKey = null, int limit = 500)
    {
        var sql = "SELECT id, project_id, target_kind, target_key, target_name, started, ended, reason FROM mon_incidents WHERE project_id = @p AND started < @to AND (ended IS NULL OR ended > @from)";
        var parameters = new List<(string, object?)> { ("@p", projectId), ("@from", Ms(from)), ("@to", Ms(to)), ("@limit", (long)limit) };
        if (targetKind is not null) { sql += " AND target_kind = @kind"; parameters.Add(("@kind", targetKind)); }
        if (targetKey is not null) { sql += " AND target_key = @key"; parameters.Add(("@key", targetKey)); }
        return Query(sql + " ORDER BY started DESC, id DESC LIMIT @limit", ReadIncident, [.. parameters]);
    }

    private static Incident ReadIncident(DbDataReader r)
        => new(Long(r, 0), Long(r, 1), r.GetString(2), r.GetString(3), r.GetString(4), Time(r, 5), TimeOrNull(r, 6), r.GetString(7));

    // ---- leases ----

    public bool TryAcquireLease(string name, string owner, DateTimeOffset now, TimeSpan duration)
    {
        using var connection = Open();
        using (var ensure = Command(connection, "INSERT INTO mon_leases (name, owner, lease_until) VALUES (@n, '', 0) ON CONFLICT DO NOTHING", null, ("@n", name)))
            ensure.ExecuteNonQuery();
        using var claim = Command(connection, "UPDATE mon_leases SET owner = @o, lease_until = @until WHERE name = @n AND (lease_until <= @now OR owner = @o)",
            null, ("@o", owner), ("@until", Ms(now + duration)), ("@n", name), ("@now", Ms(now)));
        return claim.ExecuteNonQuery() == 1;
    }

    // ---- reads over the main tables ----

    public IReadOnlyList<InstanceHeartbeat> GetInstanceHeartbeats(long projectId) => Query(
        "SELECT instance, service, environment, interval_seconds, last_seen, state FROM instances WHERE project_id = @p",
        r => new InstanceHeartbeat(r.GetString(0), r.GetString(1), StringOrNull(r, 2), (int)Long(r, 3), Time(r, 4), r.GetString(5) == "stopped"),
        ("@p", projectId));

    public TrafficWindow GetTraffic(long projectId, string? environment, string? method, string? route, DateTimeOffset from, DateTimeOffset to)
    {
        var sql = "SELECT count, errors, duration_max, duration_counts FROM rollups WHERE project_id = @p AND minute >= @from AND minute < @to";
        var parameters = new List<(string, object?)> { ("@p", projectId), ("@from", Ms(from) / 60_000 * 60_000), ("@to", Ms(to)) };
        if (environment is not null) { sql += " AND environment = @env"; parameters.Add(("@env", environment)); }
        if (method is not null) { sql += " AND method = @method"; parameters.Add(("@method", method)); }
        if (route is not null) { sql += " AND route = @route"; parameters.Add(("@route", route)); }
        long count = 0, errors = 0;
        double max = 0;
        var counts = new long[s_latencyLength];
        using var connection = Open();
        using var query = Command(connection, sql, null, [.. parameters]);
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            count += Long(reader, 0);
            errors += Long(reader, 1);
            max = Math.Max(max, Convert.ToDouble(reader.GetValue(2), CultureInfo.InvariantCulture));
            // SQLite keeps histograms as comma-separated text, PostgreSQL as bigint[].
            HistogramText.AddInto(counts, reader.GetValue(3) is long[] array ? array : HistogramText.Parse(reader.GetString(3), s_latencyLength));
        }
        return new TrafficWindow(count, errors,
            count == 0 ? 0 : HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, counts, 0.95, 0, max),
            count == 0 ? 0 : HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, counts, 0.99, 0, max));
    }

    public long CountSecurityEvents(long projectId, DateTimeOffset from, DateTimeOffset to)
    {
        using var connection = Open();
        using var count = Command(connection, "SELECT COUNT(*) FROM security_events WHERE project_id = @p AND ts >= @from AND ts < @to",
            null, ("@p", projectId), ("@from", Ms(from)), ("@to", Ms(to)));
        return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public IReadOnlyList<NewErrorGroup> GetErrorGroupsFirstSeenSince(long projectId, DateTimeOffset since) => Query(
        "SELECT fingerprint, type, message, first_seen FROM error_groups WHERE project_id = @p AND first_seen >= @s ORDER BY first_seen, fingerprint LIMIT 100",
        r => new NewErrorGroup(r.GetString(0), r.GetString(1), r.GetString(2), Time(r, 3)), ("@p", projectId), ("@s", Ms(since)));

    // ---- rules ----

    public long CreateRule(long projectId, AlertRuleDefinition d, DateTimeOffset now)
    {
        using var connection = Open();
        using var insert = Command(connection, """
            INSERT INTO mon_rules (project_id, name, kind, environment, endpoint, check_id, threshold, window_minutes, min_requests, renotify_minutes, channel_ids,
                enabled, created, state, state_since)
            VALUES (@p, @name, @kind, @env, @endpoint, @check, @threshold, @window, @min, @renotify, @channels, @enabled, @now, 'ok', @now) RETURNING id
            """, null, [("@p", projectId), .. RuleParameters(d), ("@now", Ms(now))]);
        return Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public bool UpdateRule(long projectId, long id, AlertRuleDefinition d) => Execute("""
        UPDATE mon_rules SET name = @name, kind = @kind, environment = @env, endpoint = @endpoint, check_id = @check, threshold = @threshold,
            window_minutes = @window, min_requests = @min, renotify_minutes = @renotify, channel_ids = @channels, enabled = @enabled
        WHERE id = @id AND project_id = @p
        """, [("@p", projectId), ("@id", id), .. RuleParameters(d)]) == 1;

    private static (string, object?)[] RuleParameters(AlertRuleDefinition d) =>
    [
        ("@name", d.Name), ("@kind", d.Kind), ("@env", d.Environment), ("@endpoint", d.Endpoint), ("@check", d.CheckId), ("@threshold", d.Threshold),
        ("@window", (long)d.WindowMinutes), ("@min", (long)d.MinRequests), ("@renotify", (long)d.RenotifyMinutes),
        ("@channels", string.Join(',', d.ChannelIds.Select(c => c.ToString(CultureInfo.InvariantCulture)))), ("@enabled", d.Enabled ? 1L : 0L),
    ];

    public bool DeleteRule(long projectId, long id) => Execute("DELETE FROM mon_rules WHERE id = @id AND project_id = @p", ("@id", id), ("@p", projectId)) == 1;

    public AlertRule? GetRule(long projectId, long id)
        => Query($"SELECT {RuleColumns} FROM mon_rules WHERE id = @id AND project_id = @p", ReadRule, ("@id", id), ("@p", projectId)).FirstOrDefault();

    public IReadOnlyList<AlertRule> GetRules(long projectId)
        => Query($"SELECT {RuleColumns} FROM mon_rules WHERE project_id = @p ORDER BY name, id", ReadRule, ("@p", projectId));

    private static AlertRule ReadRule(DbDataReader r)
    {
        var channels = r.GetString(11).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var definition = new AlertRuleDefinition(r.GetString(2), r.GetString(3), StringOrNull(r, 4), StringOrNull(r, 5), LongOrNull(r, 6),
            Convert.ToDouble(r.GetValue(7), CultureInfo.InvariantCulture), (int)Long(r, 8), (int)Long(r, 9), (int)Long(r, 10), channels, Long(r, 12) == 1);
        return new AlertRule(Long(r, 0), Long(r, 1), definition, r.GetString(13), Time(r, 14), TimeOrNull(r, 15), DoubleOrNull(r, 16), StringOrNull(r, 17), Time(r, 18));
    }

    public void SaveRuleState(long ruleId, string state, DateTimeOffset since, DateTimeOffset? lastNotified, double? lastValue, string? message) => Execute(
        "UPDATE mon_rules SET state = @s, state_since = @since, last_notified = @n, last_value = @v, message = @m WHERE id = @id",
        ("@s", state), ("@since", Ms(since)), ("@n", lastNotified is { } n ? Ms(n) : null), ("@v", lastValue), ("@m", message), ("@id", ruleId));

    // ---- channels ----

    public long CreateChannel(long projectId, AlertChannelDefinition d, string? protectedSecret, DateTimeOffset now)
    {
        using var connection = Open();
        using var insert = Command(connection, """
            INSERT INTO mon_channels (project_id, name, kind, url, email_to, secret, created) VALUES (@p, @name, @kind, @url, @to, @secret, @now) RETURNING id
            """, null, ("@p", projectId), ("@name", d.Name), ("@kind", d.Kind), ("@url", d.Url), ("@to", d.EmailTo), ("@secret", protectedSecret), ("@now", Ms(now)));
        return Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    public bool UpdateChannel(long projectId, long id, AlertChannelDefinition d, string? protectedSecret, bool keepSecret) => Execute(
        keepSecret
            ? "UPDATE mon_channels SET name = @name, kind = @kind, url = @url, email_to = @to WHERE id = @id AND project_id = @p"
            : "UPDATE mon_channels SET name = @name, kind = @kind, url = @url, email_to = @to, secret = @secret WHERE id = @id AND project_id = @p",
        ("@p", projectId), ("@id", id), ("@name", d.Name), ("@kind", d.Kind), ("@url", d.Url), ("@to", d.EmailTo), ("@secret", protectedSecret)) == 1;

    public bool DeleteChannel(long projectId, long id) => Execute("DELETE FROM mon_channels WHERE id = @id AND project_id = @p", ("@id", id), ("@p", projectId)) == 1;

    public AlertChannel? GetChannel(long projectId, long id) => Query(
        "SELECT id, project_id, name, kind, url, email_to, secret, created FROM mon_channels WHERE id = @id AND project_id = @p", ReadChannel, ("@id", id), ("@p", projectId))
        .FirstOrDefault();

    public IReadOnlyList<AlertChannel> GetChannels(long projectId) => Query(
        "SELECT id, project_id, name, kind, url, email_to, secret, created FROM mon_channels WHERE project_id = @p ORDER BY name, id", ReadChannel, ("@p", projectId));

    private static AlertChannel ReadChannel(DbDataReader r)
        => new(Long(r, 0), Long(r, 1), r.GetString(2), r.GetString(3), StringOrNull(r, 4), StringOrNull(r, 5), StringOrNull(r, 6), Time(r, 7));

    // ---- history and deliveries ----

    public long AddEvent(AlertEvent e, IReadOnlyList<long> channelIds)
    {
        using var connection = Open();
        using var tx = connection.BeginTransaction();
        long id;
        using (var insert = Command(connection, """
            INSERT INTO mon_events (project_id, rule_id, rule_name, rule_kind, kind, message, value, threshold, environment, endpoint, ts)
            VALUES (@p, @rule, @name, @rk, @kind, @msg, @value, @threshold, @env, @endpoint, @ts) RETURNING id
            """, tx, ("@p", e.ProjectId), ("@rule", e.RuleId), ("@name", e.RuleName), ("@rk", e.RuleKind), ("@kind", e.Kind), ("@msg", e.Message), ("@value", e.Value),
            ("@threshold", e.Threshold), ("@env", e.Environment), ("@endpoint", e.Endpoint), ("@ts", Ms(e.At))))
        {
            id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        foreach (var channel in channelIds.Distinct())
        {
            using var delivery = Command(connection, """
                INSERT INTO mon_deliveries (project_id, event_id, channel_id, status, attempts, next_attempt, created) VALUES (@p, @e, @c, 'pending', 0, @ts, @ts)
                """, tx, ("@p", e.ProjectId), ("@e", id), ("@c", channel), ("@ts", Ms(e.At)));
            delivery.ExecuteNonQuery();
        }
        tx.Commit();
        return id;
    }

    public IReadOnlyList<AlertEvent> GetEvents(long projectId, int limit = 200)
        => Query($"SELECT {EventColumns} FROM mon_events WHERE project_id = @p ORDER BY ts DESC, id DESC LIMIT @l", ReadEvent, ("@p", projectId), ("@l", (long)limit));

    public AlertEvent? GetEvent(long id) => Query($"SELECT {EventColumns} FROM mon_events WHERE id = @id", ReadEvent, ("@id", id)).FirstOrDefault();

    private static AlertEvent ReadEvent(DbDataReader r) => new(Long(r, 0), Long(r, 1), Long(r, 2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
        DoubleOrNull(r, 7), Convert.ToDouble(r.GetValue(8), CultureInfo.InvariantCulture), StringOrNull(r, 9), StringOrNull(r, 10), Time(r, 11));

    public IReadOnlyList<AlertDelivery> ClaimDueDeliveries(DateTimeOffset now, DateTimeOffset leaseUntil, int max)
        => !Any("SELECT 1 FROM mon_deliveries WHERE status = 'pending' AND next_attempt <= @now LIMIT 1", Ms(now)) ? [] : Query("""
        UPDATE mon_deliveries SET next_attempt = @lease, attempts = attempts + 1
        WHERE status = 'pending' AND next_attempt <= @now
          AND id IN (SELECT id FROM mon_deliveries WHERE status = 'pending' AND next_attempt <= @now ORDER BY next_attempt LIMIT @max)
        RETURNING id, event_id, channel_id, '', status, attempts, next_attempt, last_error, created, delivered_at
        """, ReadDelivery, ("@lease", Ms(leaseUntil)), ("@now", Ms(now)), ("@max", (long)max));

    public void CompleteDelivery(long id, string status, string? error, DateTimeOffset? retryAt, DateTimeOffset now) => Execute(
        "UPDATE mon_deliveries SET status = @s, last_error = @e, next_attempt = @next, delivered_at = @d WHERE id = @id",
        ("@s", status), ("@e", error), ("@next", retryAt is { } r ? Ms(r) : null), ("@d", status == "delivered" ? Ms(now) : null), ("@id", id));

    public IReadOnlyList<AlertDelivery> GetDeliveries(long projectId, bool problemsOnly, int limit = 200) => Query($"""
        SELECT d.id, d.event_id, d.channel_id, COALESCE(c.name, '(deleted channel)'), d.status, d.attempts, d.next_attempt, d.last_error, d.created, d.delivered_at
        FROM mon_deliveries d LEFT JOIN mon_channels c ON c.id = d.channel_id
        WHERE d.project_id = @p{(problemsOnly ? " AND (d.status = 'failed' OR d.last_error IS NOT NULL)" : "")}
        ORDER BY d.created DESC, d.id DESC LIMIT @l
        """, ReadDelivery, ("@p", projectId), ("@l", (long)limit));

    private static AlertDelivery ReadDelivery(DbDataReader r) => new(Long(r, 0), Long(r, 1), Long(r, 2), r.GetString(3), r.GetString(4), (int)Long(r, 5),
        TimeOrNull(r, 6), StringOrNull(r, 7), Time(r, 8), TimeOrNull(r, 9));

    public int Prune(DateTimeOffset before)
    {
        var t = Ms(before);
        return Execute("DELETE FROM mon_deliveries WHERE status <> 'pending' AND created < @t", ("@t", t))
            + Execute("DELETE FROM mon_events WHERE ts < @t AND id NOT IN (SELECT event_id FROM mon_deliveries)", ("@t", t))
            + Execute("DELETE FROM mon_incidents WHERE ended IS NOT NULL AND ended < @t", ("@t", t));
    }

    /// <summary>Releases pooled connections.</summary>
    public abstract void Dispose();
}
