namespace Sightline.Server.Storage;

/// <summary>
/// The SQLite schema: <see cref="Sql"/> is version 1, applied idempotently at start-up; <see cref="Upgrades"/> then
/// bring any file (new, or written by an older server) to the current version in place, each in its own write
/// transaction with the new version number in <c>schema_version</c>.
/// </summary>
internal static class Schema
{
    /// <summary>The current schema version.</summary>
    public static int Version => Upgrades[^1].Version;

    /// <summary>Upgrades past version 1, in order. Append only: never edit a shipped one.</summary>
    public static readonly IReadOnlyList<(int Version, string Sql)> Upgrades =
    [
        // Security events carry the environment of the batch that reported them (NULL for events stored before).
        (2, "ALTER TABLE security_events ADD COLUMN environment TEXT;"),
    ];

    public const string Sql = """
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = NORMAL;
        CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS projects (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS ingest_keys (
            key_id TEXT PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects(id), hash BLOB NOT NULL,
            prefix TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS records (
            id TEXT PRIMARY KEY, project_id INTEGER NOT NULL, ts INTEGER NOT NULL, direction TEXT NOT NULL,
            method TEXT NOT NULL, route TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
            request_size INTEGER NOT NULL, response_size INTEGER NOT NULL, consumer TEXT, client_ip TEXT, has_error INTEGER NOT NULL,
            environment TEXT, service TEXT, host TEXT, parent_id TEXT, body TEXT NOT NULL);
        CREATE INDEX IF NOT EXISTS ix_records_project_ts ON records(project_id, ts DESC, id DESC);
        CREATE INDEX IF NOT EXISTS ix_records_parent ON records(parent_id) WHERE parent_id IS NOT NULL;
        CREATE TABLE IF NOT EXISTS applied_items (id TEXT PRIMARY KEY, ts INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS rollups (
            project_id INTEGER NOT NULL, minute INTEGER NOT NULL, environment TEXT NOT NULL, route TEXT NOT NULL, method TEXT NOT NULL,
            status INTEGER NOT NULL, consumer TEXT NOT NULL, count INTEGER NOT NULL, errors INTEGER NOT NULL,
            duration_sum REAL NOT NULL, duration_max REAL NOT NULL, duration_counts TEXT NOT NULL,
            request_size_sum REAL NOT NULL, response_size_sum REAL NOT NULL, response_size_counts TEXT NOT NULL,
            PRIMARY KEY (project_id, minute, environment, route, method, status, consumer));
        CREATE TABLE IF NOT EXISTS endpoints (project_id INTEGER NOT NULL, method TEXT NOT NULL, route TEXT NOT NULL, source TEXT NOT NULL, last_seen INTEGER NOT NULL,
            PRIMARY KEY (project_id, method, route));
        CREATE TABLE IF NOT EXISTS consumers (project_id INTEGER NOT NULL, identifier TEXT NOT NULL, name TEXT, grp TEXT, last_seen INTEGER NOT NULL,
            PRIMARY KEY (project_id, identifier));
        CREATE TABLE IF NOT EXISTS instances (project_id INTEGER NOT NULL, instance TEXT NOT NULL, service TEXT NOT NULL, version TEXT, environment TEXT,
            sdk_version TEXT, runtime TEXT, interval_seconds INTEGER NOT NULL, last_seen INTEGER NOT NULL, state TEXT NOT NULL, PRIMARY KEY (project_id, instance));
        CREATE TABLE IF NOT EXISTS error_groups (project_id INTEGER NOT NULL, fingerprint TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
            first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, count INTEGER NOT NULL, last_record TEXT, PRIMARY KEY (project_id, fingerprint));
        CREATE TABLE IF NOT EXISTS security_events (id TEXT PRIMARY KEY, project_id INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
            key_prefix TEXT, client_ip TEXT, method TEXT, path TEXT);
        CREATE INDEX IF NOT EXISTS ix_security_project_ts ON security_events(project_id, ts DESC);
        INSERT INTO schema_version (version) SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
        """;
}
