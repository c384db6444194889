using Npgsql;
using Sightline.Protocol.Wire;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>PostgreSQL-only behaviour: migrations under concurrent start-up, day partitions, retention by dropping partitions.</summary>
[RequiresPostgres]
public sealed class PostgresStoreTests : IDisposable
{
    private readonly Lazy<PostgresTestDatabase> _database = new(PostgresTestDatabase.Create);

    private string ConnectionString => _database.Value.ConnectionString;

    private long Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [StoreFact]
    public async Task Migrations_SeveralServersStartingAtOnce_ApplyEachVersionOnce()
    {
        using var gate = new ManualResetEventSlim();
        var starts = Enumerable.Range(0, 6).Select(_ => Task.Run(() =>
        {
            gate.Wait();
            return new PostgresStore(ConnectionString);
        })).ToArray();
        gate.Set();
        var stores = await Task.WhenAll(starts);

        Assert.Equal(PostgresMigrations.All.Count, Scalar("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(PostgresMigrations.All[^1].Version, Scalar("SELECT max(version) FROM schema_migrations"));
        Assert.All(stores, s => Assert.True(s.IsReady()));
        using var again = new PostgresStore(ConnectionString);
        Assert.Equal(PostgresMigrations.All.Count, Scalar("SELECT count(*) FROM schema_migrations"));
        foreach (var s in stores) s.Dispose();
    }

    [StoreFact]
    public async Task Records_LandInDayPartitions_RetentionDropsWholeOldPartitions()
    {
        using var store = new PostgresStore(ConnectionString);
        var project = store.EnsureProject("default").Id;
        var now = DateTimeOffset.UtcNow;
        var oldDay = now.AddDays(-20);
        RequestRecord At(DateTimeOffset ts) => new() { Id = Guid.NewGuid(), Timestamp = ts, Method = "GET", RouteTemplate = "/x", Path = "/x", Status = 200 };

        await store.StoreAsync(project, new IngestBatch { Records = [At(oldDay), At(oldDay.AddSeconds(1)), At(now)] }, CancellationToken.None);
        var oldPartition = PostgresStore.PartitionName(oldDay.ToUnixTimeMilliseconds() / 86_400_000 * 86_400_000);

        Assert.Equal(2, Scalar($"SELECT count(*) FROM {oldPartition}"));
        Assert.True(Scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'records'::regclass") >= 6); // the old day + yesterday..today+3 created ahead
        var deleted = await store.ApplyRetentionAsync(now.AddDays(-7), now.AddDays(-90), CancellationToken.None);

        Assert.Equal(2, deleted);
        Assert.Equal(0, Scalar($"SELECT count(*) FROM pg_class WHERE relname = '{oldPartition}'"));
        Assert.Equal(1, Scalar("SELECT count(*) FROM records"));
    }

    [StoreFact]
    public async Task Migration3_DatabaseAtVersion2_GainsSecurityEnvironment_OldEventsOnlyUnfiltered()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            connection.Open();
            // A database as a server with migrations 1 and 2 left it, holding one refused attempt.
            var setup = "CREATE TABLE schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());"
                + string.Concat(PostgresMigrations.All.Where(m => m.Version <= 2).Select(m => m.Sql + $";INSERT INTO schema_migrations (version) VALUES ({m.Version});"))
                + "INSERT INTO projects (name, created) VALUES ('default', 0);"
                + "INSERT INTO security_events (id, project_id, ts, kind, reason, key_prefix) SELECT gen_random_uuid(), id, @ts, 'apikey.refused', 'revoked', 'sk_old' FROM projects;";
            using var command = new NpgsqlCommand(setup, connection);
            command.Parameters.AddWithValue("ts", at.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }

        using var store = new PostgresStore(ConnectionString);
        Assert.Equal(PostgresMigrations.All[^1].Version, Scalar("SELECT max(version) FROM schema_migrations"));
        var project = store.EnsureProject("default").Id;
        await store.StoreAsync(project, new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" },
            SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = at.AddSeconds(1), Reason = "invalid", KeyPrefix = "sk_new" }],
        }, CancellationToken.None);

        Assert.Equal(["invalid", "revoked"], store.GetSecurityEvents(project).Select(e => e.Reason));
        Assert.Equal(["invalid"], store.GetSecurityEvents(project, environment: "prod").Select(e => e.Reason));
        Assert.Equal(2, store.GetSecurityReport(project, at.AddMinutes(-1), at.AddMinutes(1), TimeSpan.FromMinutes(1)).Total);
        Assert.Equal(1, store.GetSecurityReport(project, at.AddMinutes(-1), at.AddMinutes(1), TimeSpan.FromMinutes(1), "prod").Total);
    }

    [StoreFact]
    public void Start_UnreachableServer_FailsWithNpgsqlError()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(ConnectionString) { Port = 1, Timeout = 2 }.ToString();

        Assert.ThrowsAny<NpgsqlException>(() => new PostgresStore(unreachable));
    }

    public void Dispose()
    {
        if (_database.IsValueCreated) _database.Value.Dispose();
    }
}
