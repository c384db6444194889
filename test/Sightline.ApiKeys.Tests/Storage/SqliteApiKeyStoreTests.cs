using Microsoft.Data.Sqlite;
using Sightline.ApiKeys.Sqlite;

namespace Sightline.ApiKeys.Tests.Storage;

public sealed class SqliteApiKeyStoreTests : ApiKeyStoreContract
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-apikeys-tests", Guid.NewGuid().ToString("n"));

    protected override async Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<ApiKeyRecord> seed)
    {
        Directory.CreateDirectory(_directory);
        var store = new SqliteApiKeyStore($"Data Source={Path.Combine(_directory, "keys.db")}");
        foreach (var record in seed) await store.CreateAsync(record);
        return store;
    }

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory)) Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Store_CreatesTableInExistingDatabase_LeavesOtherTablesAlone()
    {
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "server.db")}";
        await using (var connection = new SqliteConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO projects (name) VALUES ('shop');";
            await command.ExecuteNonQueryAsync();
        }

        var store = new SqliteApiKeyStore(connectionString, "project_keys");
        await store.CreateAsync(Record("SERVERKEY001", "project-1"));

        await using var check = new SqliteConnection(connectionString);
        await check.OpenAsync();
        await using var query = check.CreateCommand();
        query.CommandText = "SELECT (SELECT count(*) FROM projects) || ',' || (SELECT consumer_id FROM project_keys)";
        Assert.Equal("1,project-1", await query.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Store_TwoInstancesOnOneFile_SeeEachOthersWrites()
    {
        Directory.CreateDirectory(_directory);
        var connectionString = $"Data Source={Path.Combine(_directory, "shared.db")}";
        var a = new SqliteApiKeyStore(connectionString);
        var b = new SqliteApiKeyStore(connectionString);

        await a.CreateAsync(Record("SHARED000001"));
        var found = (await b.FindAsync("SHARED000001"))!;
        found.RevokedAt = DateTimeOffset.UnixEpoch.AddYears(60);
        await b.UpdateAsync(found);

        Assert.True((await a.FindAsync("SHARED000001"))!.IsRevoked);
    }

    [Theory]
    [InlineData("keys; DROP TABLE x")]
    [InlineData("1keys")]
    [InlineData("")]
    public void Constructor_InvalidTableName_Throws(string table)
    {
        Assert.Throws<ArgumentException>(() => new SqliteApiKeyStore("Data Source=x.db", table));
    }
}
