using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.ApiKeys;
using Sightline.Cli;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;
using Sightline.Server.Tests.Security;
using Sightline.Server.Tests.Storage;

namespace Sightline.Server.Tests.Cli;

/// <summary>
/// <c>sightline projects …</c> and <c>sightline ingest-keys …</c> against the server's real database (a SQLite file; a
/// PostgreSQL database when available), and keys it issues ingesting into a running server on real Kestrel.
/// </summary>
public sealed class ServerCliTests
{
    private static readonly ApiKeyFormat IngestFormat = new("sl_ingest");

    private static async Task<(int Code, string Out, string Err)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await KeysCli.RunAsync(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static async Task<JsonElement> JsonAsync(params string[] args)
    {
        var (code, stdout, stderr) = await RunAsync([.. args, "--json"]);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement;
    }

    private static RequestFilter AllRequests() => new(null, null, null, null, null, null, null, null, null, null, 50);

    [Fact]
    public async Task Sqlite_ProjectAndKeyCreatedByCli_IngestIntoRunningServer_RotateRevoke()
    {
        await using var server = await ServerFixture.StartAsync();
        var dir = Path.GetDirectoryName(server.DatabasePath)!;

        var project = await JsonAsync("projects", "create", "billing", "--data-dir", dir);
        var projectId = project.GetProperty("id").GetInt64();
        var projects = await JsonAsync("projects", "list", "--data-dir", dir);
        var created = await JsonAsync("ingest-keys", "create", "--project", "billing", "--name", "ci", "--data-dir", dir);
        var key = created.GetProperty("key").GetString()!;

        Assert.Equal(["default", "billing"], projects.EnumerateArray().Select(p => p.GetProperty("name").GetString()).Order(StringComparer.Ordinal).Reverse());
        Assert.True(IngestFormat.IsValid(key));
        Assert.Equal(projectId, created.GetProperty("projectId").GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record("/from-cli")] }, key)).StatusCode);
        Assert.Equal("/from-cli", Assert.Single(server.Store.SearchRequests(projectId, AllRequests()).Items).Path);
        Assert.Empty(server.Store.SearchRequests(1, AllRequests()).Items);

        var listed = await JsonAsync("ingest-keys", "list", "--project", projectId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", dir);
        var row = Assert.Single(listed.EnumerateArray());
        Assert.Equal(("ci", "active", false), (row.GetProperty("name").GetString(), row.GetProperty("state").GetString(), row.GetProperty("legacy").GetBoolean()));
        Assert.False(row.TryGetProperty("key", out _));
        var keyId = row.GetProperty("id").GetString()!;
        var (_, table, _) = await RunAsync("ingest-keys", "list", "-p", "billing", "--data-dir", dir);
        Assert.Contains("sl_ingest_" + keyId, table, StringComparison.Ordinal);
        Assert.DoesNotContain(key, table, StringComparison.Ordinal);

        var rotated = await JsonAsync("ingest-keys", "rotate", "sl_ingest_" + keyId, "--grace", "1h", "--project", "billing", "--data-dir", dir);
        var newKey = rotated.GetProperty("key").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, newKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, key)).StatusCode);
        var states = (await JsonAsync("ingest-keys", "list", "--project", "billing", "--data-dir", dir)).EnumerateArray().Select(r => r.GetProperty("state").GetString());
        Assert.Equal(["active", "expiring"], states);

        var revoked = await JsonAsync("ingest-keys", "revoke", keyId, "--project", "billing", "--data-dir", dir);
        Assert.True(revoked.GetProperty("revoked").GetBoolean());
        Assert.Equal(1, (await RunAsync("ingest-keys", "revoke", keyId, "--project", "billing", "--data-dir", dir)).Code);
        Assert.Equal(1, (await RunAsync("ingest-keys", "revoke", keyId, "--project", "default", "--data-dir", dir)).Code);
        var again = await RunAsync("projects", "create", "billing", "--data-dir", dir);
        Assert.Equal((1, true), (again.Code, again.Err.Contains("already exists", StringComparison.Ordinal)));
        var unknown = await RunAsync("ingest-keys", "list", "--project", "nosuch", "--data-dir", dir);
        Assert.Equal((1, true), (unknown.Code, unknown.Err.Contains("--project: no project 'nosuch'", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Sqlite_LegacyKey_ListedLegacy_RotateIssuesNewFormat()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sightline-cli-tests", Guid.NewGuid().ToString("n"));
        try
        {
            string legacy;
            using (var old = new SqliteStore(Path.Combine(dir, "sightline.db"))) legacy = LegacyKeys.Issue(old, old.EnsureProject("default").Id);

            var row = Assert.Single((await JsonAsync("ingest-keys", "list", "--project", "default", "--data-dir", dir)).EnumerateArray());
            Assert.True(row.GetProperty("legacy").GetBoolean());
            Assert.Equal(legacy.Split('_')[2], row.GetProperty("id").GetString());
            var plain = await RunAsync("ingest-keys", "rotate", row.GetProperty("id").GetString()!, "--project", "default", "--data-dir", dir);
            Assert.Equal(0, plain.Code);
            Assert.True(IngestFormat.IsValid(plain.Out.Trim()));
            Assert.Contains("keeps working until", plain.Err, StringComparison.Ordinal);
            var rows = (await JsonAsync("ingest-keys", "list", "--project", "default", "--data-dir", dir)).EnumerateArray().ToList();
            Assert.Equal([false, true], rows.Select(r => r.GetProperty("legacy").GetBoolean()));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task BadStoreOptions_FailNamingTheOption()
    {
        var missing = Path.Combine(Path.GetTempPath(), "sightline-cli-tests", Guid.NewGuid().ToString("n"));

        var noDatabase = await RunAsync("ingest-keys", "list", "--project", "default", "--data-dir", missing);
        var both = await RunAsync("projects", "list", "--data-dir", missing, "--postgres", "Host=localhost");
        var noProject = await RunAsync("ingest-keys", "list", "--data-dir", missing);

        Assert.Equal(1, noDatabase.Code);
        Assert.Contains("there is no Sightline database", noDatabase.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(missing));
        Assert.Equal(1, both.Code);
        Assert.Contains("--data-dir (SQLite) and --postgres exclude each other", both.Err, StringComparison.Ordinal);
        Assert.Equal(2, noProject.Code);
        Assert.Contains("--project", noProject.Err, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Postgres_ProjectAndKeyCreatedByCli_IngestIntoServerOnTheSameDatabase()
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        using var database = PostgresTestDatabase.Create();
        var dir = Path.Combine(Path.GetTempPath(), "sightline-cli-tests", Guid.NewGuid().ToString("n"));
        var (app, firstRun) = SightlineServer.Build(
        [
            "--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={dir}", "--Sightline:Server:AdminPassword=cli-test-password",
            "--Sightline:Server:Storage=postgres", $"--Sightline:Server:ConnectionString={database.ConnectionString}",
        ], b => b.Logging.ClearProviders());
        await app.StartAsync();
        try
        {
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var store = app.Services.GetRequiredService<ISightlineStore>();

            var projectId = (await JsonAsync("projects", "create", "billing", "--postgres", database.ConnectionString)).GetProperty("id").GetInt64();
            var key = (await JsonAsync("ingest-keys", "create", "--project", "billing", "--postgres", database.ConnectionString)).GetProperty("key").GetString()!;
            var defaults = await JsonAsync("ingest-keys", "list", "--project", "default", "--postgres", database.ConnectionString);

            Assert.Equal(firstRun.IngestKey!.Split('_')[2], Assert.Single(defaults.EnumerateArray()).GetProperty("id").GetString());
            using var client = new HttpClient { BaseAddress = address };
            using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath)
            {
                Content = new StringContent(JsonSerializer.Serialize(new IngestBatch { Records = [ServerFixture.Record("/pg-cli")] }, WireJsonContext.Default.IngestBatch), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add(WireConstants.ApiKeyHeader, key);
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(request)).StatusCode);
            Assert.Equal("/pg-cli", Assert.Single(store.SearchRequests(projectId, AllRequests()).Items).Path);
            var listed = await JsonAsync("projects", "list", "--postgres", database.ConnectionString);
            Assert.Equal(2, listed.GetArrayLength());
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }
}
