using Npgsql;
using Sightline.ApiKeys.PostgreSql;

namespace Sightline.ApiKeys.Tests.Storage;

/// <summary>
/// Runs the contract against a real PostgreSQL server (<c>SIGHTLINE_TEST_POSTGRES</c>), in a database of its own that
/// is dropped afterwards. Skipped, visibly, only when the variable is unset outside CI; in CI it must run.
/// </summary>
public sealed class PostgreSqlApiKeyStoreTests : ApiKeyStoreContract
{
    private readonly List<PostgreSqlApiKeyStore> _stores = [];
    private string? _database;
    private string? _connectionString;

    public static string? ServerConnectionString()
    {
        var value = Environment.GetEnvironmentVariable("SIGHTLINE_TEST_POSTGRES");
        if (string.IsNullOrWhiteSpace(value))
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
                throw new InvalidOperationException("CI is set but SIGHTLINE_TEST_POSTGRES is not: the PostgreSQL store tests must run in CI.");
            return null;
        }
        return value;
    }

    public override async Task InitializeAsync()
    {
        var server = ServerConnectionString();
        if (server is null) return;
        _database = "sl_apikeys_" + Guid.NewGuid().ToString("n");
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using (var command = new NpgsqlCommand($"CREATE DATABASE {_database}", admin)) await command.ExecuteNonQueryAsync();
        _connectionString = new NpgsqlConnectionStringBuilder(server) { Database = _database }.ConnectionString;
    }

    protected override async Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<ApiKeyRecord> seed)
    {
        Skip.If(_connectionString is null, "SIGHTLINE_TEST_POSTGRES is not set (export it from /tmp/sightline-pg-dev/conn to run the PostgreSQL store tests).");
        var store = new PostgreSqlApiKeyStore(_connectionString!);
        _stores.Add(store);
        foreach (var record in seed) await store.CreateAsync(record);
        return store;
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores) await store.DisposeAsync();
        if (_database is null) return;
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(ServerConnectionString());
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", admin);
        await command.ExecuteNonQueryAsync();
    }

    [SkippableFact]
    public async Task Store_ManyInstancesStartingTogether_CreateTableOnce()
    {
        Skip.If(_connectionString is null, "SIGHTLINE_TEST_POSTGRES is not set.");
        var stores = Enumerable.Range(0, 6).Select(_ => new PostgreSqlApiKeyStore(_connectionString!, "public.race_keys")).ToList();
        _stores.AddRange(stores);

        await Task.WhenAll(stores.Select((s, i) => s.CreateAsync(Record($"RACE0000000{i}"))));

        Assert.Equal(6, (await stores[0].ListAsync()).Count);
    }
}
