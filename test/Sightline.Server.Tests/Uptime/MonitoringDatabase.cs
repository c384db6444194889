using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Sightline.Server.Monitoring;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Uptime;

/// <summary>A real database for the monitoring store: a SQLite temp file or a fresh PostgreSQL database (dropped after).</summary>
internal abstract class MonitoringDatabase : IDisposable
{
    private readonly List<IMonitoringStore> _stores = [];

    /// <summary>A new store on this database (several model several servers).</summary>
    public IMonitoringStore NewStore()
    {
        var store = CreateStore();
        _stores.Add(store);
        return store;
    }

    protected abstract IMonitoringStore CreateStore();
    protected abstract DbConnection Open();

    /// <summary>A histogram as the main store keeps it (SQLite: comma-separated text; PostgreSQL: bigint[]).</summary>
    public abstract object Histogram(long[] counts);

    /// <summary>A record/event id as the main store keeps it (SQLite: text; PostgreSQL: uuid).</summary>
    public abstract object Id(Guid id);

    /// <summary>Runs SQL over the main tables (rollups, instances, …) the way ingest would have filled them.</summary>
    public void Sql(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = command.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            command.Parameters.Add(p);
        }
        command.ExecuteNonQuery();
    }

    public virtual void Dispose()
    {
        foreach (var store in _stores) store.Dispose();
    }
}

internal sealed class SqliteMonitoringDatabase : MonitoringDatabase
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "sightline-monitoring-tests", Guid.NewGuid().ToString("n"));
    private string DbPath => Path.Combine(_dir, "sightline.db");

    public SqliteMonitoringDatabase()
    {
        using var main = new SqliteStore(DbPath); // the main schema, as the server creates it
    }

    protected override IMonitoringStore CreateStore() => new SqliteMonitoringStore(DbPath);

    public override object Histogram(long[] counts) => string.Join(',', counts);

    public override object Id(Guid id) => id.ToString();

    protected override DbConnection Open()
    {
        var c = new SqliteConnection($"Data Source={DbPath};Pooling=False");
        c.Open();
        return c;
    }

    public override void Dispose()
    {
        base.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}

internal sealed class PostgresMonitoringDatabase : MonitoringDatabase
{
    // The main tables as the PostgreSQL main store's first migration defines them (PostgresMigrations.cs on the storage branch).
    private const string MainTables = """
        CREATE TABLE IF NOT EXISTS rollups (project_id BIGINT NOT NULL, minute BIGINT NOT NULL, environment TEXT NOT NULL, route TEXT NOT NULL, method TEXT NOT NULL,
            status INTEGER NOT NULL, consumer TEXT NOT NULL, count BIGINT NOT NULL, errors BIGINT NOT NULL, duration_sum DOUBLE PRECISION NOT NULL,
            duration_max DOUBLE PRECISION NOT NULL, duration_counts BIGINT[] NOT NULL, request_size_sum DOUBLE PRECISION NOT NULL,
            response_size_sum DOUBLE PRECISION NOT NULL, response_size_counts BIGINT[] NOT NULL, PRIMARY KEY (project_id, minute, environment, route, method, status, consumer));
        CREATE TABLE IF NOT EXISTS instances (project_id BIGINT NOT NULL, instance TEXT NOT NULL, service TEXT NOT NULL, version TEXT, environment TEXT,
            sdk_version TEXT, runtime TEXT, interval_seconds INTEGER NOT NULL, last_seen BIGINT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (project_id, instance));
        CREATE TABLE IF NOT EXISTS error_groups (project_id BIGINT NOT NULL, fingerprint TEXT NOT NULL, type TEXT NOT NULL, message TEXT NOT NULL,
            first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL, count BIGINT NOT NULL, last_record UUID, PRIMARY KEY (project_id, fingerprint));
        CREATE TABLE IF NOT EXISTS security_events (id UUID PRIMARY KEY, project_id BIGINT NOT NULL, ts BIGINT NOT NULL, kind TEXT NOT NULL, reason TEXT NOT NULL,
            key_prefix TEXT, client_ip TEXT, method TEXT, path TEXT);
        """;

    private readonly string _admin;
    private readonly string _database = "sightline_mon_" + Guid.NewGuid().ToString("n");

    public PostgresMonitoringDatabase()
    {
        _admin = ConnectionString
            ?? throw new InvalidOperationException("SIGHTLINE_TEST_POSTGRES is not set, but CI is: a PostgreSQL server is required.");
        using (var admin = new NpgsqlConnection(_admin))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {_database}", admin);
            create.ExecuteNonQuery();
        }
        using var connection = Open();
        using var tables = connection.CreateCommand();
        tables.CommandText = MainTables;
        tables.ExecuteNonQuery();
    }

    public static string? ConnectionString => Environment.GetEnvironmentVariable("SIGHTLINE_TEST_POSTGRES") is { Length: > 0 } s ? s : null;

    /// <summary>Skips (visibly) only outside CI when no server is configured; in CI a missing server fails the test.</summary>
    public static void SkipWhenUnavailable()
        => Skip.If(ConnectionString is null && Environment.GetEnvironmentVariable("CI") is null,
            "PostgreSQL tests need SIGHTLINE_TEST_POSTGRES (a connection string); skipped because it is unset and CI is not set.");

    public string DatabaseConnectionString => new NpgsqlConnectionStringBuilder(_admin) { Database = _database }.ToString();

    protected override IMonitoringStore CreateStore() => new PostgresMonitoringStore(DatabaseConnectionString);

    public override object Histogram(long[] counts) => counts;

    public override object Id(Guid id) => id;

    protected override DbConnection Open()
    {
        var c = new NpgsqlConnection(DatabaseConnectionString);
        c.Open();
        return c;
    }

    public override void Dispose()
    {
        base.Dispose();
        NpgsqlConnection.ClearAllPools();
        using var admin = new NpgsqlConnection(_admin);
        admin.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
        drop.ExecuteNonQuery();
    }
}
