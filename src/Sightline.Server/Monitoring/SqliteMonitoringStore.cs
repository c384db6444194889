using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Sightline.Server.Monitoring;

/// <summary>
/// The monitoring tables in the main SQLite file (created idempotently at start-up). SQLite has one
/// writer at a time, so every claim is trivially atomic; <c>busy_timeout</c> lets writes wait for ingest.
/// </summary>
internal sealed class SqliteMonitoringStore : SqlMonitoringStore
{
    private readonly string _connectionString;

    public SqliteMonitoringStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Cache = SqliteCacheMode.Private, Pooling = true }.ToString();
        using var connection = Open();
        using var command = Command(connection, "PRAGMA journal_mode = WAL;" + SchemaTemplate.Replace("{ID}", "INTEGER PRIMARY KEY", StringComparison.Ordinal), null);
        command.ExecuteNonQuery();
    }

    protected override string ForUpdate => "";

    protected override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 5000;";
        command.ExecuteNonQuery();
        return connection;
    }

    public override void Dispose() => SqliteConnection.ClearAllPools();
}
