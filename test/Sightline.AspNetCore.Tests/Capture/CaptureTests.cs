using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Capture;

public sealed class CaptureTests : IAsyncLifetime
{
    private readonly TaskCompletionSource _streamGate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Collector _collector = null!;
    private SdkApp _app = null!;

    public async Task InitializeAsync()
    {
        _collector = await Collector.StartAsync();
        _app = await SdkApp.StartAsync(_collector.Address, o =>
        {
            o.RedactHeaders = ["X-Session"];
            o.RedactRequestBody = ["$.users[*].credit_card"];
            o.RedactResponseBody = ["$.user.email", "$.user.addresses[*].zip"];
            o.ServiceName = "orders-api";
            o.ServiceVersion = "v2.0";
            o.Environment = "production";
            o.Tags = ["region: us-east-1"];
            o.MaxBodySize = 1024;
        }, app =>
        {
            app.MapGet("/users/{id}", (int id) => Results.Json(new { user = new { id, email = "anna@example.com", addresses = new[] { new { zip = "10115" }, new { zip = "02108" } } } }));
            app.MapPost("/users", async (HttpRequest request) =>
            {
                using var reader = new StreamReader(request.Body);
                var text = await reader.ReadToEndAsync();
                return Results.Text($"read {text.Length}", "text/plain");
            });
            app.MapGet("/boom", IResult () => throw new InvalidOperationException("outer", new ArgumentException("inner")));
            app.MapGet("/stream", async (HttpContext context) =>
            {
                context.Response.ContentType = "text/plain";
                await context.Response.WriteAsync("chunk0\n");
                await context.Response.Body.FlushAsync();
                await _streamGate.Task.WaitAsync(TimeSpan.FromSeconds(10)); // released by the test once chunk0 arrived
                await context.Response.WriteAsync("chunk1\nchunk2\n");
            });
            app.MapGet("/fixed", async (HttpContext context) =>
            {
                context.Response.ContentLength = 5;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("\"abc\"");
            });
            app.MapGet("/file", (HttpContext context) =>
            {
                var path = Path.Combine(Path.GetTempPath(), "sightline-sendfile.bin");
                File.WriteAllBytes(path, new byte[10_000]);
                return Results.File(path, "application/octet-stream");
            });
            app.MapGet("/binary", () => Results.Bytes(new byte[] { 0, 1, 2, 255, 254 }, "application/json"));
            app.MapGet("/big", () => Results.Text("{\"items\":[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"{{\"email\":\"user{i}@x.io\"}}")) + "]}", "application/json"));
            app.MapGet("/consumer", (HttpContext context) =>
            {
                context.SetSightlineConsumer("customer-123", name: "John Doe", group: "Customers");
                context.ReportError(new TimeoutException("handled one"));
                return "ok";
            });
            app.MapGet("/healthz", () => "healthy");
            app.MapGet("/hinted", (HttpContext context) =>
            {
                // What Sightline.ApiKeys does: a feature, no reference to the SDK.
                context.Features.Set<ISightlineRequestHints>(new Hints(
                    new ConsumerInfo { Identifier = "key-owner", Name = "Key Owner", Group = "Partners" },
                    new SecurityEvent { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, Reason = "scope_missing", KeyPrefix = "sl_live_abc", Path = "/hinted" }));
                return Results.StatusCode(403);
            });
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Capture_JsonResponse_RedactsPathsAndHeadersAndQuery()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/7?token=secret-token&page=2");
        request.Headers.Add("Authorization", "Bearer abc");
        request.Headers.Add("X-Session", "s3cr3t");
        request.Headers.Add("X-Trace-Me", "visible");
        request.Headers.UserAgent.ParseAdd("tests/1.0");
        var response = await _app.Client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/users/7");

        Assert.Contains("anna@example.com", body, StringComparison.Ordinal); // the app's response is unchanged
        Assert.Equal("/users/{id}", record.RouteTemplate);
        Assert.Equal("GET", record.Method);
        Assert.Equal(200, record.Status);
        Assert.Equal("token=%5BCLIENT_REDACTED%5D&page=2", record.Query!.TrimStart('?'));
        Assert.Equal("[CLIENT_REDACTED]", record.RequestHeaders!["Authorization"]);
        Assert.Equal("[CLIENT_REDACTED]", record.RequestHeaders["X-Session"]);
        Assert.Equal("visible", record.RequestHeaders["X-Trace-Me"]);
        Assert.Equal("tests/1.0", record.UserAgent);
        Assert.Equal("127.0.0.1", record.ClientIp);
        Assert.DoesNotContain("anna@example.com", record.ResponseBody!.Json, StringComparison.Ordinal);
        Assert.DoesNotContain("10115", record.ResponseBody.Json, StringComparison.Ordinal);
        Assert.Contains("\"email\":\"[CLIENT_REDACTED]\"", record.ResponseBody.Json, StringComparison.Ordinal);
        Assert.Equal(Encoding.UTF8.GetByteCount(body), record.ResponseSize);
        Assert.True(record.DurationNs > 0);
        Assert.Equal(32, record.TraceId!.Length);
        var batch = _collector.Batches.First(b => b.Records.Contains(record));
        Assert.Equal("orders-api", batch.Service!.Name);
        Assert.Equal("v2.0", batch.Service.Version);
        Assert.Equal("production", batch.Service.Environment);
        Assert.Equal(["region: us-east-1"], batch.Service.Tags);
        Assert.Equal("sl_test_key", _collector.ApiKeys.First());
    }

    [Fact]
    public async Task Capture_RequestBodyReadByApp_IsRedactedAndAppSeesItAll()
    {
        var json = """{"users":[{"name":"a","credit_card":"4111111111111111"},{"name":"b","credit_card":"5500000000000004"}]}""";

        var response = await _app.Client.PostAsync("/users", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal($"read {json.Length}", await response.Content.ReadAsStringAsync());
        var record = await _collector.WaitForRecordAsync(r => r.Method == "POST");
        Assert.Equal("""{"users":[{"name":"a","credit_card":"[CLIENT_REDACTED]"},{"name":"b","credit_card":"[CLIENT_REDACTED]"}]}""", record.RequestBody!.Json);
        Assert.Equal(json.Length, record.RequestSize);
        Assert.Equal("text body not redactable (NonJsonTextBodies = Drop)", record.ResponseBody!.Omitted);
        Assert.Null(record.ResponseBody.Content);
    }

    [Fact]
    public async Task Capture_InvalidJsonRequestBody_FailsClosed()
    {
        await _app.Client.PostAsync("/users", new StringContent("{\"users\":[{\"credit_card\":\"4111\"", Encoding.UTF8, "application/json"));

        var record = await _collector.WaitForRecordAsync(r => r.Method == "POST");
        Assert.Null(record.RequestBody!.Content);
        Assert.StartsWith("redaction failed", record.RequestBody.Omitted, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capture_UnhandledException_RecordedAndRethrownAs500()
    {
        var response = await _app.Client.GetAsync("/boom");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var record = await _collector.WaitForRecordAsync(r => r.Path == "/boom");
        Assert.Equal(500, record.Status);
        var error = Assert.Single(record.Errors!);
        Assert.Equal("System.InvalidOperationException", error.Type);
        Assert.Equal("outer", error.Message);
        Assert.False(error.Handled);
        Assert.Contains("CaptureTests", error.StackTrace, StringComparison.Ordinal);
        Assert.Equal("System.ArgumentException", Assert.Single(error.Inner!).Type);
        Assert.NotNull(error.Fingerprint);
    }

    [Fact]
    public async Task Capture_UnmatchedPath_UsesPlaceholderRoute()
    {
        var response = await _app.Client.GetAsync("/wp-admin/" + Guid.NewGuid());

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var record = await _collector.WaitForRecordAsync(r => r.Path.StartsWith("/wp-admin/", StringComparison.Ordinal));
        Assert.Equal("(unmatched)", record.RouteTemplate);
        Assert.Equal(404, record.Status);
    }

    [Fact]
    public async Task Capture_StreamingResponse_ChunksArriveBeforeCompletion()
    {
        using var response = await _app.Client.GetAsync("/stream", HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64];
        var n = await stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        // The app is still waiting on the gate: chunk0 was delivered before the response completed.
        Assert.Equal("chunk0\n", Encoding.UTF8.GetString(buffer, 0, n));
        _streamGate.SetResult();
        var rest = await new StreamReader(stream).ReadToEndAsync();
        Assert.Equal("chunk1\nchunk2\n", rest);
        var record = await _collector.WaitForRecordAsync(r => r.Path == "/stream");
        Assert.Equal(21, record.ResponseSize);
    }

    [Fact]
    public async Task Capture_ContentLengthAndHttp2_Preserved()
    {
        using var h2 = new HttpClient { BaseAddress = _app.Http2Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        var r1 = await _app.Client.GetAsync("/fixed");
        var r2 = await h2.GetAsync("/fixed");

        Assert.Equal(5, r1.Content.Headers.ContentLength);
        Assert.Equal("\"abc\"", await r1.Content.ReadAsStringAsync());
        Assert.Equal(HttpVersion.Version20, r2.Version);
        Assert.Equal("\"abc\"", await r2.Content.ReadAsStringAsync());
        await _collector.WaitUntilAsync(() => _collector.Records.Count(r => r.Path == "/fixed") == 2);
        Assert.All(_collector.Records.Where(r => r.Path == "/fixed"), r => Assert.Equal("\"abc\"", r.ResponseBody!.Json));
    }

    [Fact]
    public async Task Capture_SendFile_CountedNotCaptured()
    {
        var bytes = await _app.Client.GetByteArrayAsync("/file");

        Assert.Equal(10_000, bytes.Length);
        var record = await _collector.WaitForRecordAsync(r => r.Path == "/file");
        Assert.Equal(10_000, record.ResponseSize);
        Assert.Null(record.ResponseBody!.Content);
    }

    [Fact]
    public async Task Capture_BinaryBodyLabelledJson_FailsClosed()
    {
        await _app.Client.GetAsync("/binary");

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/binary");
        Assert.Null(record.ResponseBody!.Content);
        Assert.Equal(5, record.ResponseSize);
    }

    [Fact]
    public async Task Capture_BodyOverCap_TruncatedButRedactedAndFullyCounted()
    {
        var body = await _app.Client.GetStringAsync("/big");

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/big");
        Assert.True(record.ResponseBody!.Truncated);
        Assert.True(record.ResponseBody.Content!.Length <= 1024);
        Assert.StartsWith("{\"items\":[{\"email\":", record.ResponseBody.Content, StringComparison.Ordinal);
        Assert.Equal(body.Length, record.ResponseSize);
    }

    [Fact]
    public async Task Capture_ConsumerAndReportedError_Attached()
    {
        await _app.Client.GetAsync("/consumer");

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/consumer");
        Assert.Equal("customer-123", record.Consumer!.Identifier);
        Assert.Equal("John Doe", record.Consumer.Name);
        Assert.Equal("Customers", record.Consumer.Group);
        var error = Assert.Single(record.Errors!);
        Assert.True(error.Handled);
        Assert.Equal("System.TimeoutException", error.Type);
    }

    [Fact]
    public async Task Capture_RequestHintsFeature_SetsConsumerAndShipsSecurityEvent()
    {
        await _app.Client.GetAsync("/hinted");

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/hinted");
        Assert.Equal("key-owner", record.Consumer!.Identifier);
        Assert.Equal("Partners", record.Consumer.Group);
        await _collector.WaitUntilAsync(() => _collector.Batches.SelectMany(b => b.SecurityEvents).Any(e => e.Reason == "scope_missing"));
    }

    private sealed record Hints(ConsumerInfo? Consumer, SecurityEvent? SecurityEvent) : ISightlineRequestHints;

    [Fact]
    public async Task Capture_ExcludedPath_NotRecorded()
    {
        await _app.Client.GetAsync("/healthz");
        await _app.Client.GetAsync("/fixed");

        await _collector.WaitForRecordAsync(r => r.Path == "/fixed");
        Assert.DoesNotContain(_collector.Records, r => r.Path == "/healthz");
    }
}
