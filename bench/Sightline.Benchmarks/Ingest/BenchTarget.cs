using Npgsql;

namespace Sightline.Benchmarks.Ingest;

/// <summary>A throw-away store location for one benchmark run: a temp SQLite folder, or a fresh PostgreSQL database (dropped after).</summary>
internal sealed class BenchTarget : IDisposable
{
    private readonly string? _adminConnectionString;

    private BenchTarget(string kind, string directory, string? adminConnectionString, string? connectionString)
    {
        Kind = kind;
        Directory = directory;
        _adminConnectionString = adminConnectionString;
        ConnectionString = connectionString;
    }

    public string Kind { get; }
    public string Directory { get; }
    public string? ConnectionString { get; }

    public static BenchTarget Create(string kind)
    {
        var directory = Path.Combine(Path.GetTempPath(), "sightline-bench", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(directory);
        if (kind == "sqlite") return new BenchTarget(kind, directory, null, null);
        var admin = Environment.GetEnvironmentVariable("SIGHTLINE_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("SIGHTLINE_TEST_POSTGRES")
            ?? throw new InvalidOperationException("Set SIGHTLINE_BENCH_POSTGRES (or SIGHTLINE_TEST_POSTGRES) to an Npgsql connection string of a server where a database can be created.");
        var name = "sightline_bench_" + Guid.NewGuid().ToString("n")[..12];
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            create.ExecuteNonQuery();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = 64 };
        return new BenchTarget(kind, directory, admin, builder.ToString());
    }

    public string[] ServerArgs(int port) =>
    [
        $"--Sightline:Server:Urls=http://127.0.0.1:{port}", $"--Sightline:Server:DataDirectory={Directory}", "--Sightline:Server:AdminPassword=bench-password",
        $"--Sightline:Server:Storage={Kind}", .. ConnectionString is null ? Array.Empty<string>() : [$"--Sightline:Server:ConnectionString={ConnectionString}"],
    ];

    public Sightline.Server.Storage.ISightlineStore OpenStore() => Kind == "sqlite"
        ? new Sightline.Server.Storage.SqliteStore(Path.Combine(Directory, "sightline.db"))
        : new Sightline.Server.Storage.PostgresStore(ConnectionString!);

    public void Dispose()
    {
        if (ConnectionString is not null) Console.Error.WriteLine($"  database: {new NpgsqlConnectionStringBuilder(ConnectionString).Database}");
        NpgsqlConnection.ClearAllPools();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (_adminConnectionString is not null && Environment.GetEnvironmentVariable("SIGHTLINE_BENCH_KEEP") is null)
        {
            using var connection = new NpgsqlConnection(_adminConnectionString);
            connection.Open();
            using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {new NpgsqlConnectionStringBuilder(ConnectionString).Database} WITH (FORCE)", connection);
            drop.ExecuteNonQuery();
        }
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
    }
}
