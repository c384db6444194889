using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;
using Sightline.Server.Ingest;
using Sightline.Server.Tests.Storage;

namespace Sightline.Server.Tests.Ingest;

/// <summary>
/// Bodies sent as raw JSON values (<c>"json": {...}</c>) are stored and served as the same text a <c>content</c>
/// string carrying it would have given, on SQLite and on PostgreSQL; a body with both members is rejected per record;
/// bodies as deep as <see cref="WireConstants.MaxJsonBodyDepth"/> are read in every position the wire allows.
/// </summary>
public sealed class RawJsonBodyTests
{
    // Whitespace, escapes (\" \\ \u00e9 \n) and non-ASCII as an app could send them: all kept as they are.
    private const string Body = "{ \"user\" : {\"name\": \"Grüße \\\"Anna\\\" \\\\ \\u00e9 日本 😀\\n\", \"email\": \"[CLIENT_REDACTED]\"},\r\n\t\"items\": [1, 2.5e3, true, null, {\"sku\": \"a\"}] }";

    public static TheoryData<string> Stores => ["sqlite", "postgres"];

    private static async Task<(ServerFixture Server, PostgresTestDatabase? Database)?> StartAsync(string store)
    {
        if (store == "sqlite") return (await ServerFixture.StartAsync(), null);
        if (PostgresTestDatabase.SkipReason is not null) return null; // no PostgreSQL configured, not CI
        var database = PostgresTestDatabase.Create();
        var server = await ServerFixture.StartAsync(null, "--Sightline:Server:Storage=postgres", $"--Sightline:Server:ConnectionString={database.ConnectionString}");
        return (server, database);
    }

    private static async Task StopAsync((ServerFixture Server, PostgresTestDatabase? Database) started)
    {
        await started.Server.DisposeAsync();
        started.Database?.Dispose();
    }

    private static async Task<JsonElement> DetailAsync(HttpClient client, Guid id)
        => await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{id}");

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Ingest_JsonBody_StoredAndServedAsTheSameTextAsContent(string store)
    {
        if (await StartAsync(store) is not { } started) return;
        try
        {
            var raw = ServerFixture.Record("/raw");
            raw.RequestBody = new CapturedBody { Json = Body, ContentType = "application/json" };
            raw.ResponseBody = new CapturedBody { Json = "\"just a string \\\"q\\\"\"", ContentType = "application/json" };
            var text = ServerFixture.Record("/text");
            text.RequestBody = new CapturedBody { Content = Body, ContentType = "application/json" };
            var response = await started.Server.PostBatchAsync(new IngestBatch { Records = [raw, text] });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            using var client = await started.Server.SignedInClientAsync();
            var rawDetail = await DetailAsync(client, raw.Id);
            var textDetail = await DetailAsync(client, text.Id);
            Assert.Equal(Body, rawDetail.GetProperty("requestBody").GetProperty("content").GetString());
            Assert.Equal(textDetail.GetProperty("requestBody").GetProperty("content").GetString(), rawDetail.GetProperty("requestBody").GetProperty("content").GetString());
            Assert.True(!rawDetail.GetProperty("requestBody").TryGetProperty("json", out var json) || json.ValueKind == JsonValueKind.Null);
            Assert.Equal("\"just a string \\\"q\\\"\"", rawDetail.GetProperty("responseBody").GetProperty("content").GetString());
            // Shown by the dashboard like any content.
            var page = await client.GetStringAsync($"/requests/{raw.Id}");
            Assert.Contains("[CLIENT_REDACTED]", page, StringComparison.Ordinal);
            Assert.Contains("sku", page, StringComparison.Ordinal);
        }
        finally
        {
            await StopAsync(started);
        }
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Ingest_BodyWithJsonAndContent_RecordRejectedOthersStored(string store)
    {
        if (await StartAsync(store) is not { } started) return;
        try
        {
            var both = ServerFixture.Record("/both");
            both.ResponseBody = new CapturedBody { Json = "{\"a\":1}", Content = "{\"a\":1}" };
            var child = ServerFixture.Record("/child");
            child.Direction = WireConstants.DirectionOutgoing;
            child.RequestBody = new CapturedBody { Json = "[1]", Content = "[1]" };
            var parent = ServerFixture.Record("/parent");
            parent.Outgoing = [child];
            var good = ServerFixture.Record("/good");
            good.ResponseBody = new CapturedBody { Json = "{\"a\":1}" };

            var response = await started.Server.PostBatchAsync(new IngestBatch { Records = [both, parent, good] });

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, result.GetProperty("accepted").GetInt32());
            var rejected = result.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("reason").GetString());
            Assert.Equal("responseBody has both json and content", rejected[both.Id.ToString()]);
            Assert.Equal("outgoing: requestBody has both json and content", rejected[parent.Id.ToString()]);
            using var client = await started.Server.SignedInClientAsync();
            Assert.Equal("{\"a\":1}", (await DetailAsync(client, good.Id)).GetProperty("responseBody").GetProperty("content").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/requests/{both.Id}")).StatusCode);
        }
        finally
        {
            await StopAsync(started);
        }
    }

    private static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

    [Fact]
    public async Task Ingest_JsonBodyAtTheDepthLimitInAnOutgoingChild_Stored_OneDeeper_400()
    {
        await using var server = await ServerFixture.StartAsync();
        var child = ServerFixture.Record("/child");
        child.Direction = WireConstants.DirectionOutgoing;
        child.ResponseBody = new CapturedBody { Json = "0" };
        var parent = ServerFixture.Record("/parent");
        parent.Outgoing = [child];
        var template = Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(new IngestBatch { Records = [parent] }, WireJsonContext.Default.IngestBatch));
        Assert.Contains("\"json\":0", template, StringComparison.Ordinal);

        var atLimit = await server.PostRawAsync(Encoding.UTF8.GetBytes(template.Replace("\"json\":0", "\"json\":" + Nested(WireConstants.MaxJsonBodyDepth), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.OK, atLimit.StatusCode);
        Assert.Equal(1, (await atLimit.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        using var client = await server.SignedInClientAsync();
        var stored = (await DetailAsync(client, parent.Id)).GetProperty("outgoing")[0].GetProperty("responseBody").GetProperty("content").GetString();
        Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth), stored);

        var over = await server.PostRawAsync(Encoding.UTF8.GetBytes(template.Replace("\"json\":0", "\"json\":" + Nested(WireConstants.MaxJsonBodyDepth + 1), StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
    }

    [Fact]
    public void Converter_StreamedInputInTinySegments_ReadsTheSameText()
    {
        var record = ServerFixture.Record();
        record.RequestBody = new CapturedBody { Json = Body };
        record.ResponseBody = new CapturedBody { Json = "null" };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(new IngestBatch { Records = [record] }, WireJsonContext.Default.IngestBatch);

        var fromSpan = JsonSerializer.Deserialize(bytes, WireJsonContext.Default.IngestBatch)!.Records[0];
        var options = new JsonSerializerOptions(WireJsonContext.Default.Options) { DefaultBufferSize = 1 };
        var fromStream = JsonSerializer.Deserialize(new MemoryStream(bytes), (System.Text.Json.Serialization.Metadata.JsonTypeInfo<IngestBatch>)options.GetTypeInfo(typeof(IngestBatch)))!.Records[0];

        Assert.Equal(Body, fromSpan.RequestBody!.Json);
        Assert.Equal(Body, fromStream.RequestBody!.Json);
        Assert.Equal("null", fromSpan.ResponseBody!.Json);
        Assert.Equal("null", fromStream.ResponseBody!.Json);
    }

    /// <summary>The SDK's own output through a real server: a complete JSON body is sent raw and served as its text; at the depth limit too; one level deeper it falls back to content (no paths) or fails closed (paths).</summary>
    [Theory]
    [MemberData(nameof(Stores))]
    public async Task EndToEnd_SdkToServer_JsonBodiesServedAsText(string store)
    {
        if (await StartAsync(store) is not { } started) return;
        try
        {
            var server = started.Server;
            var (app, appClient) = await server.StartSdkAppAsync(o => o.RedactRequestBody = ["$.card"], a =>
                a.MapPost("/{name}", async (string name, HttpRequest request) =>
                {
                    using var reader = new StreamReader(request.Body);
                    return Results.Text(await reader.ReadToEndAsync(), "application/json");
                }));
            await using var _ = app;
            using var __ = appClient;
            async Task Post(string name, string json) => (await appClient.PostAsync("/" + name, new StringContent(json, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
            const string order = "{\"card\": \"4111-1111\", \"note\": \"Grüße \\\"q\\\" \\u00e9\"}";
            await Post("order", order);
            await Post("deep", Nested(WireConstants.MaxJsonBodyDepth));
            await Post("deeper", Nested(WireConstants.MaxJsonBodyDepth + 1));
            await app.StopAsync(); // flushes the queue

            using var client = await server.SignedInClientAsync();
            async Task<JsonElement> Detail(string path)
            {
                var items = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests?q={Uri.EscapeDataString(path)}")).GetProperty("items");
                var item = items.EnumerateArray().Single(i => i.GetProperty("path").GetString() == path);
                return await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{item.GetProperty("id").GetString()}");
            }
            var orderRecord = await Detail("/order");
            Assert.Equal("{\"card\": \"[CLIENT_REDACTED]\", \"note\": \"Grüße \\\"q\\\" \\u00e9\"}", orderRecord.GetProperty("requestBody").GetProperty("content").GetString());
            Assert.Equal(order, orderRecord.GetProperty("responseBody").GetProperty("content").GetString()); // no response paths
            Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth), (await Detail("/deep")).GetProperty("requestBody").GetProperty("content").GetString());
            var deeper = await Detail("/deeper");
            Assert.StartsWith("redaction failed", deeper.GetProperty("requestBody").GetProperty("omitted").GetString(), StringComparison.Ordinal);
            Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth + 1), deeper.GetProperty("responseBody").GetProperty("content").GetString());
        }
        finally
        {
            await StopAsync(started);
        }
    }
}
