using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using Sightline.ApiKeys.Sqlite;
using Sightline.ApiKeys.Tests.Storage;
using Sightline.Cli;

namespace Sightline.ApiKeys.Tests.Cli;

/// <summary>The <c>sightline keys</c> tool over the same stores an app uses (a real SQLite file; PostgreSQL when available).</summary>
public sealed class KeysCliTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "sightline-apikeys-tests", Guid.NewGuid().ToString("n"));
    private readonly string _connection;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public KeysCliTests()
    {
        Directory.CreateDirectory(_directory);
        _connection = $"Data Source={Path.Combine(_directory, "keys.db")}";
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeysCli.RunAsync(args, output, error, _time);
        return (code, output.ToString(), error.ToString());
    }

    private Task<(int Code, string Out, string Err)> RunOnSqliteAsync(params string[] args) => RunAsync([.. args, "--connection", _connection]);

    [Fact]
    public async Task Create_Json_KeyAuthenticatesInAppSharingTheDatabase()
    {
        var (code, stdout, _) = await RunOnSqliteAsync("keys", "create", "--name", "billing", "--consumer-id", "cust-9", "--scope", "orders:read", "--scope", "orders:write", "--rate-limit", "100/1m", "--expires", "90d", "--json");

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        var key = json.GetProperty("key").GetString()!;
        Assert.True(ApiKeyFormat.Default.IsValid(key));
        Assert.Equal(["orders:read", "orders:write"], json.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(100, json.GetProperty("rateLimit").GetProperty("permitLimit").GetInt32());
        Assert.Equal(_time.GetUtcNow().AddDays(90), json.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.False(json.TryGetProperty("hash", out _));

        await using var app = await ApiKeyApp.StartAsync(store: new SqliteApiKeyStore(_connection));
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Post, "/orders", key)).StatusCode);
    }

    [Fact]
    public async Task Create_Plain_PrintsOnlyTheKeyOnStdout()
    {
        var (code, stdout, stderr) = await RunOnSqliteAsync("keys", "create", "-n", "ci");

        Assert.Equal(0, code);
        Assert.True(ApiKeyFormat.Default.IsValid(stdout.Trim()));
        Assert.Contains("not shown again", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListGetRevoke_RoundTrip()
    {
        var first = JsonDocument.Parse((await RunOnSqliteAsync("keys", "create", "-n", "one", "--consumer-id", "p1", "--json")).Out).RootElement;
        await RunOnSqliteAsync("keys", "create", "-n", "two", "--consumer-id", "p2", "--json");
        var id = first.GetProperty("id").GetString()!;

        var list = JsonDocument.Parse((await RunOnSqliteAsync("keys", "list", "--json")).Out).RootElement;
        Assert.Equal(2, list.GetArrayLength());
        var mine = JsonDocument.Parse((await RunOnSqliteAsync("keys", "list", "--consumer-id", "p1", "--json")).Out).RootElement;
        Assert.Equal(id, Assert.Single(mine.EnumerateArray()).GetProperty("id").GetString());
        Assert.Contains("sl_live_" + id, (await RunOnSqliteAsync("keys", "list")).Out, StringComparison.Ordinal);

        var (code, _, _) = await RunOnSqliteAsync("keys", "revoke", "sl_live_" + id);
        Assert.Equal(0, code);

        var got = await RunOnSqliteAsync("keys", "get", id);
        Assert.Contains("status:     revoked", got.Out, StringComparison.Ordinal);
        Assert.True(JsonDocument.Parse((await RunOnSqliteAsync("keys", "get", id, "--json")).Out).RootElement.GetProperty("revoked").GetBoolean());
    }

    [Fact]
    public async Task Rotate_GracePeriod_OldKeyExpiresAtGraceEnd()
    {
        var created = JsonDocument.Parse((await RunOnSqliteAsync("keys", "create", "-n", "partner", "--json")).Out).RootElement;
        var id = created.GetProperty("id").GetString()!;

        var rotated = JsonDocument.Parse((await RunOnSqliteAsync("keys", "rotate", id, "--grace", "2h", "--json")).Out).RootElement;

        Assert.NotEqual(id, rotated.GetProperty("id").GetString());
        Assert.True(ApiKeyFormat.Default.IsValid(rotated.GetProperty("key").GetString()));
        var old = JsonDocument.Parse((await RunOnSqliteAsync("keys", "get", id, "--json")).Out).RootElement;
        Assert.Equal(_time.GetUtcNow().AddHours(2), old.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(rotated.GetProperty("id").GetString(), old.GetProperty("replacedBy").GetString());
    }

    [Fact]
    public async Task Update_ScopesNetworksRateLimit_Changed()
    {
        var id = JsonDocument.Parse((await RunOnSqliteAsync("keys", "create", "-n", "k", "--rate-limit", "5/1s", "--json")).Out).RootElement.GetProperty("id").GetString()!;

        var (code, stdout, _) = await RunOnSqliteAsync("keys", "update", id, "--scope", "admin", "--network", "192.0.2.0/24", "--no-rate-limit", "--json");

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("admin", Assert.Single(json.GetProperty("scopes").EnumerateArray()).GetString());
        Assert.Equal("192.0.2.0/24", Assert.Single(json.GetProperty("allowedNetworks").EnumerateArray()).GetString());
        Assert.False(json.TryGetProperty("rateLimit", out _));
    }

    [Theory]
    [InlineData("keys get NOSUCHKEY001", 1, "no key 'NOSUCHKEY001'")]
    [InlineData("keys revoke NOSUCHKEY001", 1, "no key")]
    [InlineData("keys rotate NOSUCHKEY001", 1, "no key")]
    [InlineData("keys create -n x --network 10.0.0.1/8", 1, "did you mean 10.0.0.0/8")]
    [InlineData("keys create -n x --rate-limit lots", 1, "is not a rate limit")]
    [InlineData("keys create -n x --expires someday", 1, "neither a time")]
    [InlineData("keys create -n x --prefix Bad-Prefix", 1, "lowercase letters")]
    [InlineData("keys create", 2, "'--name' is required")]
    [InlineData("keys frobnicate", 2, "Unrecognized command")]
    public async Task BadInput_ClearErrorAndExitCode(string commandLine, int expectedCode, string expectedMessage)
    {
        var (code, _, stderr) = await RunOnSqliteAsync(commandLine.Split(' '));

        Assert.Equal(expectedCode, code);
        Assert.Contains(expectedMessage, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoConnection_ExplainsHowToGiveOne()
    {
        var (code, _, stderr) = await RunAsync("keys", "list", "--store", "sqlite");

        Assert.Equal(1, code);
        Assert.Contains("--connection", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConfigStore_CreatePrintsEntryThatAuthenticates()
    {
        var (code, stdout, _) = await RunAsync("keys", "create", "--store", "config", "-n", "partner", "--scope", "orders:read", "--json");

        Assert.Equal(0, code);
        var json = JsonDocument.Parse(stdout).RootElement;
        var key = json.GetProperty("key").GetString()!;
        var appsettings = Path.Combine(_directory, "appsettings.json");
        await File.WriteAllTextAsync(appsettings, $$"""{ "Sightline": { "ApiKeys": { "Keys": [ {{json.GetProperty("configurationEntry").GetRawText()}} ] } } }""");
        var store = new ConfigurationApiKeyStore(new ConfigurationBuilder().AddJsonFile(appsettings).Build());

        await using var app = await ApiKeyApp.StartAsync(store: store);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/orders", key)).StatusCode);
        var listed = await RunAsync("keys", "list", "--store", "config", "--config", appsettings, "--json");
        Assert.Equal("partner", Assert.Single(JsonDocument.Parse(listed.Out).RootElement.EnumerateArray()).GetProperty("name").GetString());
        var revoke = await RunAsync("keys", "revoke", json.GetProperty("configurationEntry").GetProperty("Id").GetString()!, "--store", "config", "--config", appsettings);
        Assert.Equal(1, revoke.Code);
        Assert.Contains("read-only", revoke.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pepper_FromConfigFile_UsedForHashing()
    {
        var appsettings = Path.Combine(_directory, "pepper.json");
        await File.WriteAllTextAsync(appsettings, """{ "Sightline": { "ApiKeys": { "Peppers": { "3": "a-long-random-pepper-value-0123456789" } } } }""");

        var created = JsonDocument.Parse((await RunOnSqliteAsync("keys", "create", "-n", "k", "--config", appsettings, "--json")).Out).RootElement;
        var record = (await new SqliteApiKeyStore(_connection).FindAsync(created.GetProperty("id").GetString()!))!;

        Assert.Equal(3, record.PepperVersion);
        await using var app = await ApiKeyApp.StartAsync(store: new SqliteApiKeyStore(_connection),
            configuration: new() { ["Sightline:ApiKeys:Peppers:3"] = "a-long-random-pepper-value-0123456789" });
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/hello", created.GetProperty("key").GetString())).StatusCode);
    }

    [SkippableFact]
    public async Task Postgres_CreateListRevoke()
    {
        var server = PostgreSqlApiKeyStoreTests.ServerConnectionString();
        Skip.If(server is null, "SIGHTLINE_TEST_POSTGRES is not set.");
        var table = "public.cli_keys_" + Guid.NewGuid().ToString("n")[..12];
        string[] common = ["--store", "postgres", "--connection", server!, "--table", table];

        var id = JsonDocument.Parse((await RunAsync(["keys", "create", "-n", "pg", "--json", .. common])).Out).RootElement.GetProperty("id").GetString()!;
        Assert.Equal(0, (await RunAsync(["keys", "revoke", id, .. common])).Code);
        var list = JsonDocument.Parse((await RunAsync(["keys", "list", "--json", .. common])).Out).RootElement;

        Assert.True(Assert.Single(list.EnumerateArray()).GetProperty("revoked").GetBoolean());
        await using var connection = new Npgsql.NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var drop = new Npgsql.NpgsqlCommand($"DROP TABLE {table}", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
