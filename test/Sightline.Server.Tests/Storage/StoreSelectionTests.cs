using Npgsql;
using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Storage;

public sealed class StoreSelectionTests
{
    private static InvalidOperationException StartFails(params string[] args)
        => Assert.Throws<InvalidOperationException>(() => SightlineServer.Build(["--Sightline:Server:Urls=http://127.0.0.1:0", .. args]));

    [Theory]
    [InlineData("mysql")]
    [InlineData("")]
    public void Start_UnknownStorage_FailsNamingTheOption(string storage)
    {
        var e = StartFails($"--Sightline:Server:Storage={storage}");

        Assert.Contains("Sightline:Server:Storage", e.Message, StringComparison.Ordinal);
        Assert.Contains("'sqlite'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_PostgresWithoutConnectionString_FailsNamingTheOption()
    {
        var e = StartFails("--Sightline:Server:Storage=postgres");

        Assert.Contains("Sightline:Server:ConnectionString is required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_SqliteWithConnectionString_FailsAsAnInvalidCombination()
    {
        var e = StartFails("--Sightline:Server:Storage=sqlite", "--Sightline:Server:ConnectionString=Host=db;Database=sightline");

        Assert.Contains("Sightline:Server:ConnectionString is set but Sightline:Server:Storage is 'sqlite'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_MalformedConnectionString_FailsNamingTheOption()
    {
        var e = StartFails("--Sightline:Server:Storage=postgres", "--Sightline:Server:ConnectionString=Host=db;Frobnicate=yes");

        Assert.Contains("Sightline:Server:ConnectionString is not a valid Npgsql connection string", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_UnreachablePostgres_FailsNamingTheOptionWithoutThePassword()
    {
        var e = StartFails("--Sightline:Server:Storage=postgres", "--Sightline:Server:ConnectionString=Host=127.0.0.1;Port=1;Database=sightline;Username=u;Password=hunter2-secret;Timeout=2");

        Assert.Contains("Sightline:Server:ConnectionString", e.Message, StringComparison.Ordinal);
        Assert.Contains("database 'sightline'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", e.ToString(), StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(e.InnerException);
    }

    [Fact]
    public void Create_SqliteByDefaultAndCaseInsensitive()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sightline-selection-tests", Guid.NewGuid().ToString("n"));
        try
        {
            using var store = StoreFactory.Create(new ServerOptions { Storage = "SQLite", DataDirectory = directory });
            Assert.IsType<SqliteStore>(store);
            Assert.True(File.Exists(Path.Combine(directory, "sightline.db")));
        }
        finally
        {
            Directory.Delete(directory, true);
        }
    }
}
