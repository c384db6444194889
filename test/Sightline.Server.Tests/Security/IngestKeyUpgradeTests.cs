using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Sightline.ApiKeys;
using Sightline.Protocol.Wire;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Security;

/// <summary>
/// Upgrading a server whose database holds ingest keys of the old format: SDKs configured with them keep ingesting
/// (real Kestrel, real SQLite file), the dashboard lists them as legacy, and rotating one issues a new-format key.
/// </summary>
public sealed partial class IngestKeyUpgradeTests : IAsyncLifetime
{
    private ServerFixture _server = null!;
    private string _legacyKey = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync(dataDir =>
    {
        // What the previous version left behind: the default project and a key it issued and printed.
        using var old = new SqliteStore(Path.Combine(dataDir, "sightline.db"));
        _legacyKey = LegacyKeys.Issue(old, old.EnsureProject("default").Id);
        SqliteConnection.ClearAllPools();
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private async Task<string> PostFormAsync(HttpClient client, string path, string keyId)
    {
        var token = TokenPattern().Match(await client.GetStringAsync("/settings")).Groups[1].Value;
        var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["keyId"] = keyId }));
        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode); // POST-redirect-GET: the outcome (and a new key) shows on the GET
        return await client.GetStringAsync("/settings");
    }

    [Fact]
    public async Task LegacyKey_IngestsAfterUpgrade_ListedLegacy_RotateIssuesNewFormat_RevokeRefuses()
    {
        var legacyId = _legacyKey.Split('_')[2];
        var batch = new IngestBatch { Records = [ServerFixture.Record()] };

        Assert.Null(_server.IngestKey); // the project existed: no new first-run key
        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(batch, _legacyKey)).StatusCode);
        Assert.Single(_server.Store.SearchRequests(1, new Sightline.Server.Query.RequestFilter(null, null, null, null, null, null, null, null, null, null, 50)).Items);

        using var client = await _server.SignedInClientAsync();
        await _server.Keys.FlushLastUsedAsync();
        var listed = JsonDocument.Parse(await client.GetStringAsync("/api/v1/ingest-keys")).RootElement;
        var row = Assert.Single(listed.EnumerateArray());
        Assert.Equal(legacyId, row.GetProperty("keyId").GetString());
        Assert.True(row.GetProperty("legacy").GetBoolean());
        Assert.Equal(JsonValueKind.String, row.GetProperty("lastUsed").ValueKind);
        Assert.Contains("<span class=\"badge\">legacy</span>", await client.GetStringAsync("/settings"), StringComparison.Ordinal);

        var html = await PostFormAsync(client, "/settings/keys/rotate", legacyId);
        var rotated = Regex.Match(html, "<code id=\"new-key\">([^<]+)</code>").Groups[1].Value;

        Assert.True(new ApiKeyFormat("sl_ingest").IsValid(rotated));
        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, rotated)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, _legacyKey)).StatusCode); // grace period
        var rows = JsonDocument.Parse(await client.GetStringAsync("/api/v1/ingest-keys")).RootElement.EnumerateArray().ToList();
        Assert.Equal([false, true], rows.Select(r => r.GetProperty("legacy").GetBoolean()));
        Assert.Equal("expiring", rows[1].GetProperty("state").GetString());

        await PostFormAsync(client, "/settings/keys/revoke", legacyId);

        var refused = await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, _legacyKey);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, rotated)).StatusCode);
    }
}
