using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Sightline.ApiKeys;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Security;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Security;

/// <summary>
/// Ingest keys hashed with the server's pepper (<c>Sightline:Server:IngestKeyPeppers</c>): what is stored, keys from
/// before the pepper, a server missing the pepper, bad settings, and the real <c>sightline</c> tool issuing a peppered
/// key that a running server accepts. Real Kestrel and real SQLite files.
/// </summary>
public sealed class IngestKeyPepperTests
{
    private const string Pepper = "pepper-for-tests-0123456789abcdef";
    private const string PepperArg = "--Sightline:Server:IngestKeyPeppers:1=" + Pepper;

    private static (byte[] Hash, long Version) StoredHash(string databasePath, string key)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash, pepper_version FROM ingest_api_keys WHERE id = $id";
        command.Parameters.AddWithValue("$id", key.Split('_')[2]);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read(), "the key's row is in ingest_api_keys");
        return ((byte[])reader[0], reader.GetInt64(1));
    }

    private static Task<HttpResponseMessage> IngestAsync(ServerFixture server, string key, string path = "/peppered") =>
        server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record(path)] }, key);

    private static string SeedKey(string dataDir, ApiKeyHasher hasher)
    {
        using var store = new SqliteStore(Path.Combine(dataDir, "sightline.db"));
        var keys = IngestKeyService.OpenAsync(store, hasher: hasher).GetAwaiter().GetResult();
        var key = keys.CreateAsync(store.EnsureProject("default").Id, "seeded").GetAwaiter().GetResult().Key;
        SqliteConnection.ClearAllPools();
        return key;
    }

    [Fact]
    public async Task PepperedServer_StoresHmacOfTheKey_NotItsSha256_AndTheKeyIngests()
    {
        await using var server = await ServerFixture.StartAsync(null, PepperArg);
        var key = server.IngestKey;

        var (hash, version) = StoredHash(server.DatabasePath, key);
        Assert.Equal(1, version);
        Assert.Equal(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Pepper), Encoding.ASCII.GetBytes(key)), hash);
        Assert.NotEqual(SHA256.HashData(Encoding.ASCII.GetBytes(key)), hash);
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(server, key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IngestAsync(server, key[..^1] + (key[^1] == 'A' ? 'B' : 'A'))).StatusCode);
    }

    [Fact]
    public async Task KeyIssuedBeforeThePepper_KeepsIngesting_AndItsRotationIsPeppered()
    {
        string old = null!;
        await using var server = await ServerFixture.StartAsync(dir => old = SeedKey(dir, ApiKeyHasher.Unpeppered), PepperArg);

        Assert.Equal(0, StoredHash(server.DatabasePath, old).Version);
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(server, old)).StatusCode);
        var rotated = await server.Keys.RotateAsync(1, old.Split('_')[2], TimeSpan.Zero);
        Assert.NotNull(rotated);
        Assert.Equal(1, StoredHash(server.DatabasePath, rotated.Key).Version);
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(server, rotated.Key)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await IngestAsync(server, old)).StatusCode);
    }

    [Fact]
    public async Task ServerWithoutThePepper_RefusesAPepperedKey_WithAnotherPepperToo()
    {
        var peppered = new ApiKeyHasher(new ApiKeyOptions { Peppers = { [1] = Pepper } });
        string key = null!;
        await using (var server = await ServerFixture.StartAsync(dir => key = SeedKey(dir, peppered)))
            Assert.Equal(HttpStatusCode.Unauthorized, (await IngestAsync(server, key)).StatusCode);
        await using (var server = await ServerFixture.StartAsync(dir => key = SeedKey(dir, peppered), "--Sightline:Server:IngestKeyPeppers:1=another-pepper-0123456789abcdef"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await IngestAsync(server, key)).StatusCode);
        await using (var server = await ServerFixture.StartAsync(dir => key = SeedKey(dir, peppered), PepperArg))
            Assert.Equal(HttpStatusCode.OK, (await IngestAsync(server, key)).StatusCode);
    }

    [Theory]
    [InlineData("--Sightline:Server:IngestKeyPeppers:1=short", "Sightline:Server:IngestKeyPeppers:1 is too short")]
    [InlineData("--Sightline:Server:IngestKeyPeppers:0=pepper-for-tests-0123456789abcdef", "Sightline:Server:IngestKeyPeppers: version 0 is invalid")]
    [InlineData("--Sightline:Server:IngestKeyPepperVersion=2", "Sightline:Server:IngestKeyPepperVersion is 2")]
    public void BadPepperSettings_FailStartUp_NamingTheOption(string setting, string message)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sightline-server-tests", Guid.NewGuid().ToString("n"));
        try
        {
            var error = Assert.Throws<ArgumentException>(() => SightlineServer.Build(
                ["--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={dir}", setting]));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(dir), "nothing is created before the settings are checked");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task SightlineTool_WithTheServersPepper_IssuesAKeyTheServerAccepts()
    {
        await using var server = await ServerFixture.StartAsync(null, PepperArg);
        var dir = Path.GetDirectoryName(server.DatabasePath)!;

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "sightline.dll"), "ingest-keys", "create", "--project", "default", "--data-dir", dir, "--json" })
            start.ArgumentList.Add(arg);
        start.Environment["Sightline__Server__IngestKeyPeppers__1"] = Pepper;
        using var tool = Process.Start(start)!;
        var stdout = tool.StandardOutput.ReadToEndAsync();
        var stderr = tool.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await tool.WaitForExitAsync(timeout.Token);
        Assert.True(tool.ExitCode == 0, $"exit {tool.ExitCode}: {await stderr}");
        var key = JsonDocument.Parse(await stdout).RootElement.GetProperty("key").GetString()!;

        Assert.Equal(1, StoredHash(server.DatabasePath, key).Version);
        Assert.Equal(HttpStatusCode.OK, (await IngestAsync(server, key)).StatusCode);
    }
}
