using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>A data file written by an older server (schema version 1) upgrades in place when this server opens it.</summary>
public sealed class SqliteSchemaUpgradeTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-upgrade-tests", Guid.NewGuid().ToString("n"));

    private string DataFile => Path.Combine(_directory, "sightline.db");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DataFile, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task VersionOneFile_UpgradesInPlace_OldEventsShowOnlyUnderAllEnvironments()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        Directory.CreateDirectory(_directory);
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DataFile, Pooling = false }.ToString()))
        {
            old.Open();
            using var command = old.CreateCommand();
            // The version-1 shape of security_events (no environment), with one event and its project, as an older server left them.
            command.CommandText = Schema.Sql + """
                INSERT INTO projects (id, name, created) VALUES (1, 'default', 0);
                INSERT INTO security_events (id, project_id, ts, kind, reason, key_prefix, client_ip, method, path)
                VALUES ('8d0f8a52-6c1e-4f0a-9d43-1d2f6f1b0c11', 1, $ts, 'apikey.refused', 'revoked', 'sk_old', '10.0.0.1', 'GET', '/a');
                """;
            command.Parameters.AddWithValue("$ts", at.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }
        Assert.Equal(0, Scalar("SELECT COUNT(*) FROM pragma_table_info('security_events') WHERE name = 'environment'"));

        using (var store = new SqliteStore(DataFile))
        {
            Assert.Equal(Schema.Version, Scalar("SELECT version FROM schema_version"));
            Assert.Equal(1, Scalar("SELECT COUNT(*) FROM schema_version"));
            await store.StoreAsync(1, new IngestBatch
            {
                Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" },
                SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = at.AddSeconds(1), Reason = "invalid", KeyPrefix = "sk_new" }],
            }, CancellationToken.None);

            Assert.Equal(["invalid", "revoked"], store.GetSecurityEvents(1).Select(e => e.Reason));
            Assert.Equal(["invalid"], store.GetSecurityEvents(1, environment: "prod").Select(e => e.Reason));
            Assert.Equal(2, store.GetSecurityReport(1, at.AddMinutes(-1), at.AddMinutes(1), TimeSpan.FromMinutes(1)).Total);
            Assert.Equal(1, store.GetSecurityReport(1, at.AddMinutes(-1), at.AddMinutes(1), TimeSpan.FromMinutes(1), "prod").Total);
        }

        using (var reopened = new SqliteStore(DataFile)) // opening an upgraded file again changes nothing
        {
            Assert.Equal(Schema.Version, Scalar("SELECT version FROM schema_version"));
            Assert.Equal(2, reopened.GetSecurityEvents(1).Count);
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
