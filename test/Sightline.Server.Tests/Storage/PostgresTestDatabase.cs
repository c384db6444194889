using Npgsql;

namespace Sightline.Server.Tests.Storage;

/// <summary>
/// A uniquely named database on the PostgreSQL server named by <c>SIGHTLINE_TEST_POSTGRES</c>
/// (shared with other test runs, so every test class gets its own database and drops it after).
/// </summary>
public sealed class PostgresTestDatabase : IDisposable
{
    public const string EnvironmentVariable = "SIGHTLINE_TEST_POSTGRES";
    private readonly string _adminConnectionString;

    private PostgresTestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name }.ToString();
    }

    public string Name { get; }
    public string ConnectionString { get; }

    /// <summary>
    /// Why PostgreSQL tests are skipped, or null when they run: they skip only when the variable is
    /// unset on a developer's machine; with <c>CI</c> set they run (and fail without a server).
    /// </summary>
    public static string? SkipReason
        => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(EnvironmentVariable)) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
            ? $"PostgreSQL tests need a server: set {EnvironmentVariable} to an Npgsql connection string (e.g. from .ci/postgres.sh start); CI never skips them."
            : null;

    public static PostgresTestDatabase Create()
    {
        var admin = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrEmpty(admin))
            throw new InvalidOperationException($"{EnvironmentVariable} is not set, and CI is: PostgreSQL tests must run in CI.");
        var name = "sightline_test_" + Guid.NewGuid().ToString("n")[..16];
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        create.ExecuteNonQuery();
        return new PostgresTestDatabase(admin, name);
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }
}
