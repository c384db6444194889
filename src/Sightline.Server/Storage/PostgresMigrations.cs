using Npgsql;

namespace Sightline.Server.Storage;

/// <summary>
/// Versioned PostgreSQL schema migrations, applied at start-up. A session-level advisory lock makes
/// several servers starting at once apply each migration exactly once (the others wait, then see
/// it in <c>schema_migrations</c>); each migration runs in its own transaction with its version row.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>Advisory lock key held while migrating ("SLMIGRAT").</summary>
    private const long MigrationLock = 0x534C_4D49_4752_4154;

    /// <summary>Every migration, in order. Append only: never edit a shipped one.</summary>
    public static readonly IReadOnlyList<(int Version, string Sql)> All =
    [
        (1, """
            CREATE TABLE projects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE, created bigint NOT NULL);
            CREATE TABLE ingest_keys (key_id text PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects(id), hash bytea NOT NULL,
                prefix text NOT NULL, created bigint NOT NULL, revoked boolean NOT NULL DEFAULT false);
            CREATE TABLE users (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, username text NOT NULL UNIQUE, password_hash text NOT NULL, created bigint NOT NULL);
            -- Raw records, partitioned by UTC day on ts (Unix ms): retention drops whole partitions.
            -- The key includes the partition key, as PostgreSQL requires; a record's (id, ts) never changes, so a retry still conflicts.
            CREATE TABLE records (
                id uuid NOT NULL, project_id bigint NOT NULL, ts bigint NOT NULL, direction text NOT NULL, method text NOT NULL, route text NOT NULL,
                path text NOT NULL, status integer NOT NULL, duration_ns bigint NOT NULL, request_size bigint NOT NULL, response_size bigint NOT NULL,
                consumer text, client_ip text, has_error boolean NOT NULL, environment text, service text, host text, parent_id uuid, body text NOT NULL,
                PRIMARY KEY (id, ts)
            ) PARTITION BY RANGE (ts);
            CREATE INDEX ix_records_project_ts ON records (project_id, ts DESC, id DESC);
            CREATE TABLE applied_items (id uuid PRIMARY KEY, ts bigint NOT NULL);
            CREATE INDEX ix_applied_items_ts ON applied_items (ts);
            CREATE TABLE rollups (
                project_id bigint NOT NULL, minute bigint NOT NULL, environment text NOT NULL, route text NOT NULL, method text NOT NULL,
                status integer NOT NULL, consumer text NOT NULL, count bigint NOT NULL, errors bigint NOT NULL,
                duration_sum double precision NOT NULL, duration_max double precision NOT NULL, duration_counts bigint[] NOT NULL,
                request_size_sum double precision NOT NULL, response_size_sum double precision NOT NULL, response_size_counts bigint[] NOT NULL,
                PRIMARY KEY (project_id, minute, environment, route, method, status, consumer));
            CREATE INDEX ix_rollups_minute ON rollups (minute);
            CREATE TABLE endpoints (project_id bigint NOT NULL, method text NOT NULL, route text NOT NULL, source text NOT NULL, last_seen bigint NOT NULL,
                PRIMARY KEY (project_id, method, route));
            CREATE TABLE consumers (project_id bigint NOT NULL, identifier text NOT NULL, name text, grp text, last_seen bigint NOT NULL,
                PRIMARY KEY (project_id, identifier));
            CREATE TABLE instances (project_id bigint NOT NULL, instance text NOT NULL, service text NOT NULL, version text, environment text,
                sdk_version text, runtime text, interval_seconds integer NOT NULL, last_seen bigint NOT NULL, state text NOT NULL,
                PRIMARY KEY (project_id, instance));
            CREATE TABLE error_groups (project_id bigint NOT NULL, fingerprint text NOT NULL, type text NOT NULL, message text NOT NULL,
                first_seen bigint NOT NULL, last_seen bigint NOT NULL, count bigint NOT NULL, last_record uuid, PRIMARY KEY (project_id, fingerprint));
            CREATE TABLE security_events (id uuid PRIMARY KEY, project_id bigint NOT NULL, ts bigint NOT NULL, kind text NOT NULL, reason text NOT NULL,
                key_prefix text, client_ip text, method text, path text);
            CREATE INDEX ix_security_project_ts ON security_events (project_id, ts DESC);
            CREATE INDEX ix_security_ts ON security_events (ts);
            -- ASP.NET Core data-protection keys, shared by every server so a sign-in cookie works on all of them.
            CREATE TABLE data_protection_keys (name text PRIMARY KEY, xml text NOT NULL, created bigint NOT NULL);
            """),
        (2, PostgresStore.DashboardMigrationSql),
        // Security events carry the environment of the batch that reported them (NULL for events stored before).
        (3, "ALTER TABLE security_events ADD COLUMN environment text;"),
    ];

    /// <summary>Applies the migrations this database lacks; returns how many were applied.</summary>
    public static int Apply(NpgsqlDataSource dataSource)
    {
        using var connection = dataSource.OpenConnection();
        Execute(connection, null, "SELECT pg_advisory_lock(@k)", MigrationLock);
        try
        {
            Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            var applied = new HashSet<int>();
            using (var query = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            using (var reader = query.ExecuteReader())
            {
                while (reader.Read()) applied.Add(reader.GetInt32(0));
            }
            var count = 0;
            foreach (var (version, sql) in All)
            {
                if (applied.Contains(version)) continue;
                using var tx = connection.BeginTransaction();
                Execute(connection, tx, sql);
                Execute(connection, tx, "INSERT INTO schema_migrations (version) VALUES (@k)", version);
                tx.Commit();
                count++;
            }
            return count;
        }
        finally
        {
            Execute(connection, null, "SELECT pg_advisory_unlock(@k)", MigrationLock);
        }
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction? tx, string sql, object? k = null)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        if (k is not null) command.Parameters.AddWithValue("k", k);
        command.ExecuteNonQuery();
    }
}
