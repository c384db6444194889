using Microsoft.Data.Sqlite;
using Sightline.Protocol.Wire;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

/// <summary>The SQLite file's page size and the WAL checkpoints that run beside the single ingest writer.</summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-writer-tests", Guid.NewGuid().ToString("n"));

    private string DataFile => Path.Combine(_directory, "sightline.db");

    private long Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DataFile, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static IngestBatch Batch(int count, DateTimeOffset at) => new()
    {
        Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" },
        Records = Enumerable.Range(0, count).Select(i => new RequestRecord
        {
            Id = Guid.CreateVersion7(at), Timestamp = at, Method = "GET", RouteTemplate = "/orders/{id}", Path = $"/orders/{i}", Status = 200,
            DurationNs = 1_000_000, RequestHeaders = new Dictionary<string, string> { ["User-Agent"] = new string('u', 600) },
        }).ToList(),
    };

    private static readonly Sightline.Server.Query.RequestFilter All = new(null, null, null, null, null, null, null, null, null, null, 500);

    [Fact]
    public async Task NewFile_Has16KiBPages()
    {
        using var store = new SqliteStore(DataFile);
        var project = store.EnsureProject("default").Id;
        await store.StoreAsync(project, Batch(10, DateTimeOffset.UtcNow), CancellationToken.None);

        Assert.Equal(16384, Scalar("PRAGMA page_size"));
        Assert.Equal(10, store.SearchRequests(project, All).Items.Count);
    }

    [Fact]
    public async Task ExistingFile_KeepsItsPageSize_AndItsRecords()
    {
        Directory.CreateDirectory(_directory);
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        // An older server's file: written with SQLite's default 4 KiB pages.
        using (var old = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DataFile, Pooling = false }.ToString()))
        {
            old.Open();
            using var command = old.CreateCommand();
            command.CommandText = "PRAGMA page_size = 4096;" + Schema.Sql;
            command.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(4096, Scalar("PRAGMA page_size"));

        using (var store = new SqliteStore(DataFile))
        {
            var project = store.EnsureProject("default").Id;
            await store.StoreAsync(project, Batch(50, at), CancellationToken.None);
            Assert.Equal(50, store.SearchRequests(project, All).Items.Count);
        }
        SqliteConnection.ClearAllPools();
        Assert.Equal(4096, Scalar("PRAGMA page_size"));
        using (var reopened = new SqliteStore(DataFile))
            Assert.Equal(50, reopened.SearchRequests(1, All).Items.Count);
    }

    [Fact]
    public async Task WalIsCheckpointedIntoTheFile_WhileTheStoreIsOpen_OffTheWriter()
    {
        using var store = new SqliteStore(DataFile);
        var project = store.EnsureProject("default").Id;
        var before = new FileInfo(DataFile).Length;
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        // ~2.5 MB of pages in the WAL: far below the writer's own automatic checkpoint (8,000 pages of 16 KiB),
        // so only the checkpointer thread copies them into the database file while the store stays open.
        for (var i = 0; i < 8; i++) await store.StoreAsync(project, Batch(250, at), CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (new FileInfo(DataFile).Length < before + 1_000_000 && DateTime.UtcNow < deadline) await Task.Delay(20);

        Assert.True(new FileInfo(DataFile).Length >= before + 1_000_000, $"database file {new FileInfo(DataFile).Length} bytes, WAL {new FileInfo(DataFile + "-wal").Length} bytes");
        Assert.Equal(2000, Scalar("SELECT COUNT(*) FROM records"));
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
