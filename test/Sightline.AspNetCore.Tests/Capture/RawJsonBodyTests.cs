using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>
/// What the SDK's shipper posts, read as the gzip-decoded bytes a real Kestrel collector received: a complete
/// JSON body travels as a raw JSON value (<c>"json": …</c>), exactly as the redactor wrote it; everything else
/// (truncated, invalid, too deep, text) as before.
/// </summary>
public sealed class RawJsonBodyTests : IAsyncLifetime
{
    private const string Order = "{\"card\": \"4111-SECRET-1111\", \"note\": \"Grüße \\\"q\\\" \\\\ \\u00e9 日本 😀\\n\",\n \"items\": [1, {\"sku\": \"a\"}]}";
    private const string RedactedOrder = "{\"card\": \"[CLIENT_REDACTED]\", \"note\": \"Grüße \\\"q\\\" \\\\ \\u00e9 日本 😀\\n\",\n \"items\": [1, {\"sku\": \"a\"}]}";

    private readonly ConcurrentQueue<byte[]> _batches = new();
    private WebApplication _collector = null!;
    private SdkApp _app = null!;
    private SdkApp _noPaths = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _collector = builder.Build();
        _collector.MapPost(WireConstants.IngestPath, async (HttpContext context) =>
        {
            Stream body = context.Request.Body;
            if (context.Request.Headers.ContentEncoding == "gzip") body = new GZipStream(body, CompressionMode.Decompress);
            using var buffer = new MemoryStream();
            await body.CopyToAsync(buffer);
            _batches.Enqueue(buffer.ToArray());
            return Results.Json(new { accepted = 0, rejected = Array.Empty<object>() });
        });
        await _collector.StartAsync();
        var address = new Uri(_collector.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        static void Echo(WebApplication app) => app.MapPost("/{name}", async (string name, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            return Results.Text(await reader.ReadToEndAsync(), request.ContentType);
        });
        _app = await SdkApp.StartAsync(address, o =>
        {
            o.RedactRequestBody = ["$.card"];
            o.RedactResponseBody = ["$.card"];
            o.NonJsonTextBodies = TextBodyPolicy.Keep;
            o.MaxBodySize = 1024;
        }, Echo);
        _noPaths = await SdkApp.StartAsync(address, o => o.MaxBodySize = 1024, Echo);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _noPaths.DisposeAsync();
        await _collector.StopAsync();
        await _collector.DisposeAsync();
    }

    private static async Task PostAsync(SdkApp app, string name, string body, string contentType = "application/json")
        => (await app.Client.PostAsync("/" + name, new StringContent(body, Encoding.UTF8, contentType))).EnsureSuccessStatusCode();

    // The record for /name as the collector received it, and the batch text it came in.
    private async Task<(JsonElement Record, string Batch)> RecordAsync(string name)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (DateTime.UtcNow < deadline)
        {
            foreach (var bytes in _batches)
            {
                var batch = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = WireConstants.MaxBatchDepth }).RootElement;
                foreach (var record in batch.GetProperty("records").EnumerateArray())
                    if (record.GetProperty("path").GetString() == "/" + name) return (record.Clone(), Encoding.UTF8.GetString(bytes));
            }
            await Task.Delay(50);
        }
        throw new TimeoutException("No record for /" + name);
    }

    private static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);

    [Fact]
    public async Task Ship_CompleteJsonObject_SentAsRawValueRedactedAndSecretAbsentFromTheBatch()
    {
        await PostAsync(_app, "order", Order);

        var (record, batch) = await RecordAsync("order");
        var request = record.GetProperty("requestBody");
        Assert.Equal(JsonValueKind.Object, request.GetProperty("json").ValueKind);
        Assert.Equal(RedactedOrder, request.GetProperty("json").GetRawText()); // bytes as written: whitespace, escapes, non-ASCII
        Assert.False(request.TryGetProperty("content", out _));
        Assert.False(request.GetProperty("truncated").GetBoolean());
        Assert.Equal("[CLIENT_REDACTED]", request.GetProperty("json").GetProperty("card").GetString());
        Assert.Equal("Grüße \"q\" \\ é 日本 😀\n", request.GetProperty("json").GetProperty("note").GetString());
        Assert.Equal(RedactedOrder, record.GetProperty("responseBody").GetProperty("json").GetRawText());
        Assert.DoesNotContain("4111-SECRET-1111", batch, StringComparison.Ordinal);
        Assert.Contains("\"json\":" + RedactedOrder, batch, StringComparison.Ordinal); // raw, not an escaped string

        // The shared wire model reads it back as the value's text.
        var parsed = JsonSerializer.Deserialize(record.GetRawText(), WireJsonContext.Default.RequestRecord)!;
        Assert.Equal(RedactedOrder, parsed.RequestBody!.Json);
        Assert.Null(parsed.RequestBody.Content);
    }

    [Theory]
    [InlineData("array", "[1, \"two\", {\"three\": 3}]", JsonValueKind.Array)]
    [InlineData("string", "\"just \\\"text\\\"\"", JsonValueKind.String)]
    [InlineData("number", "-12.5e3", JsonValueKind.Number)]
    [InlineData("null", "null", JsonValueKind.Null)]
    public async Task Ship_CompleteJsonArrayOrScalar_SentAsRawValue(string name, string body, JsonValueKind kind)
    {
        await PostAsync(_app, name, body);

        var (record, _) = await RecordAsync(name);
        var json = record.GetProperty("requestBody").GetProperty("json");
        Assert.Equal(kind, json.ValueKind);
        Assert.Equal(body, json.GetRawText());
        Assert.Equal(body, JsonSerializer.Deserialize(record.GetRawText(), WireJsonContext.Default.RequestRecord)!.RequestBody!.Json);
    }

    [Fact]
    public async Task Ship_TruncatedJson_StillAnEscapedContentString()
    {
        var big = "{\"card\": \"4111-SECRET-1111\", \"items\": [" + string.Join(", ", Enumerable.Range(0, 200).Select(i => $"{{\"n\": {i}}}")) + "]}";
        await PostAsync(_app, "big", big);

        var (record, batch) = await RecordAsync("big");
        var request = record.GetProperty("requestBody");
        Assert.False(request.TryGetProperty("json", out _));
        Assert.True(request.GetProperty("truncated").GetBoolean());
        Assert.StartsWith("{\"card\": \"[CLIENT_REDACTED]\", \"items\": [{\"n\": 0}", request.GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("4111-SECRET-1111", batch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ship_InvalidJson_OmittedWithMarkerNeverRaw()
    {
        await PostAsync(_app, "invalid", "{\"card\": \"4111-SECRET-1111\" \"x\": 1}");

        var (record, batch) = await RecordAsync("invalid");
        var request = record.GetProperty("requestBody");
        Assert.False(request.TryGetProperty("json", out _));
        Assert.False(request.TryGetProperty("content", out _));
        Assert.StartsWith("redaction failed", request.GetProperty("omitted").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("4111-SECRET-1111", batch, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ship_TextBody_StillContent()
    {
        await PostAsync(_app, "text", "plain \"text\"", "text/plain");

        var (record, _) = await RecordAsync("text");
        Assert.False(record.GetProperty("requestBody").TryGetProperty("json", out _));
        Assert.Equal("plain \"text\"", record.GetProperty("requestBody").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Ship_DepthLimit_RawAtTheLimit_OneDeeperFailsClosed_NoPathsAlwaysContent()
    {
        await PostAsync(_app, "deep", Nested(WireConstants.MaxJsonBodyDepth));
        await PostAsync(_app, "deeper", Nested(WireConstants.MaxJsonBodyDepth + 1));
        await PostAsync(_noPaths, "deep-nopaths", Nested(WireConstants.MaxJsonBodyDepth));
        await PostAsync(_noPaths, "deeper-nopaths", Nested(WireConstants.MaxJsonBodyDepth + 1));
        await PostAsync(_noPaths, "invalid-nopaths", "{\"a\" 1}");

        Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth), (await RecordAsync("deep")).Record.GetProperty("requestBody").GetProperty("json").GetRawText());
        var deeper = (await RecordAsync("deeper")).Record.GetProperty("requestBody");
        Assert.False(deeper.TryGetProperty("json", out _));
        Assert.StartsWith("redaction failed", deeper.GetProperty("omitted").GetString(), StringComparison.Ordinal);
        // Without paths the body is copied unread, so it is not known to be JSON: a string, as before, at any depth.
        Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth), (await RecordAsync("deep-nopaths")).Record.GetProperty("requestBody").GetProperty("content").GetString());
        var deeperNoPaths = (await RecordAsync("deeper-nopaths")).Record.GetProperty("requestBody");
        Assert.False(deeperNoPaths.TryGetProperty("json", out _));
        Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth + 1), deeperNoPaths.GetProperty("content").GetString());
        Assert.Equal("{\"a\" 1}", (await RecordAsync("invalid-nopaths")).Record.GetProperty("requestBody").GetProperty("content").GetString());
    }

    [Fact]
    public void Format_InvalidUtf8InsideAJsonString_ContentLiteralNotRaw()
    {
        var settings = new CaptureSettings(Microsoft.Extensions.Options.Options.Create(new SightlineOptions { ApiKey = "k", RedactRequestBody = ["$.card"] }), null);
        byte[] body = [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var formatted = BodyCapture.Format("application/json", body, truncated: false, capturable: true, settings.RequestRedactor, settings, escaped: true);

        Assert.True(formatted.HasContent);
        Assert.False(formatted.IsJson);
        Assert.True(formatted.Escaped);
        formatted.Release();
    }

    [Fact]
    public void RedactorDepthLimit_FitsTheWiresRawBodyDepth()
        => Assert.True(RedactionDefaults.MaxJsonDepth <= WireConstants.MaxJsonBodyDepth);
}
