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
        // ~5 MB of pages in the WAL: below the writer's own automatic checkpoint (1,000 pages of 16 KiB),
        // so only the checkpointer thread copies them into the database file while the store stays open.
        for (var i = 0; i < 8; i++) await store.StoreAsync(project, Batch(250, at), CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (new FileInfo(DataFile).Length < before + 1_000_000 && DateTime.UtcNow < deadline) await Task.Delay(20);

        Assert.True(new FileInfo(DataFile).Length >= before + 1_000_000, $"database file {new FileInfo(DataFile).Length} bytes, WAL {new FileInfo(DataFile + "-wal").Length} bytes");
        Assert.Equal(2000, Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public void Columns_AreTheStoredUtf8_BodyAsSerializedWithStoredJson()
    {
        var parent = Guid.NewGuid();
        var full = new RequestRecord
        {
            Id = Guid.NewGuid(), ParentId = parent, Direction = WireConstants.DirectionOutgoing, Timestamp = DateTimeOffset.UtcNow, Method = "POST",
            RouteTemplate = "", Path = "/ünïcode/✓", Host = "payments.internal", ClientIp = "10.0.0.7", Status = 201,
            Consumer = new ConsumerInfo { Identifier = "acme \"corp\"", Name = "Acme" },
            RequestHeaders = new Dictionary<string, string> { ["Content-Type"] = "application/json", ["X-Quote"] = "a\"b<c>&'" },
            RequestBody = new CapturedBody { Content = "{\"ok\":true,\"ünïcode\":\"✓\",\"html\":\"<b>\"}", ContentType = "application/json" },
            Errors = [new ErrorInfo { Type = "System.Exception", Message = "boom" }],
            Outgoing = [new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, Method = "GET", Path = "/x" }],
        };
        var bare = new RequestRecord { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Method = "GET", Path = "/" };
        var batch = new IngestBatch { Service = new ServiceInfo { Name = "orders", Instance = "i-1", Environment = "prod" }, Records = [full, bare] };

        var columns = SqliteRecordColumns.Encode(batch);
        try
        {
            string? Text(int record, int column)
            {
                var value = columns.Get(record, column, out var isNull);
                return isNull ? null : System.Text.Encoding.UTF8.GetString(value);
            }

            Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(full, StoredJson.Record), columns.Get(0, SqliteRecordColumns.Body, out _).ToArray());
            Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(bare, StoredJson.Record), columns.Get(1, SqliteRecordColumns.Body, out _).ToArray());
            Assert.Equal(
                [full.Id.ToString(), "outgoing", "POST", "", "/ünïcode/✓", "acme \"corp\"", "10.0.0.7", "prod", "orders", "payments.internal", parent.ToString()],
                Enumerable.Range(0, SqliteRecordColumns.Body).Select(c => Text(0, c)));
            Assert.Equal(
                [bare.Id.ToString(), "incoming", "GET", "", "/", null, null, "prod", "orders", null, null],
                Enumerable.Range(0, SqliteRecordColumns.Body).Select(c => Text(1, c)));
        }
        finally
        {
            columns.Release();
        }
    }

    [Fact]
    public async Task StoredRecord_RoundTrips_WithEmptyAndNullColumns()
    {
        using var store = new SqliteStore(DataFile);
        var project = store.EnsureProject("default").Id;
        var record = new RequestRecord
        {
            Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow.AddMinutes(-1), Method = "GET", RouteTemplate = "", Path = "/ünïcode", Status = 200,
            ResponseBody = new CapturedBody { Content = new string('x', 70_000) + "\"✓\"", ContentType = "text/plain" },
        };

        await store.StoreAsync(project, new IngestBatch { Records = [record] }, CancellationToken.None);
        await store.StoreAsync(project, new IngestBatch { Records = [record] }, CancellationToken.None); // a retry stores nothing twice

        var stored = store.GetRequest(project, record.Id);
        Assert.NotNull(stored);
        Assert.Equal(("", "/ünïcode", record.ResponseBody.Content), (stored.RouteTemplate, stored.Path, stored.ResponseBody!.Content));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(1, Scalar("SELECT COUNT(*) FROM records WHERE route = '' AND consumer IS NULL AND environment IS NULL AND parent_id IS NULL"));
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
