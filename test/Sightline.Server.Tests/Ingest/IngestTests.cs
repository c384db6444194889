using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Sightline.Protocol.Wire;
using Sightline.Server.Ingest;

namespace Sightline.Server.Tests.Ingest;

public sealed class IngestTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Theory]
    [InlineData(null)]
    [InlineData("sl_ingest_tooShort")]
    [InlineData("sl_ingest_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB")]
    [InlineData("sl_ingest_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBB000000")]
    public async Task Ingest_BadKey_401ProblemDetails(string? key)
    {
        var response = await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] }, key ?? "");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Ingest_RevokedKey_401()
    {
        var keyId = _server.IngestKey.Split('_')[2];
        Assert.True(await _server.Keys.RevokeAsync(1, keyId));

        var response = await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record()] });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_MalformedJson_400ProblemDetails()
    {
        var response = await _server.PostRawAsync(Encoding.UTF8.GetBytes("{\"records\": [ {\"id\": "));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Ingest_UnknownSchemaVersion_422()
    {
        var response = await _server.PostBatchAsync(new IngestBatch { SchemaVersion = 99 });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task Ingest_GzipBomb_413WithoutInflatingItAll()
    {
        var zeros = new byte[64 * 1024 * 1024]; // 64 MiB of zeros compress to ~64 KiB; the limit is 16 MiB
        var response = await _server.PostRawAsync(zeros);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Ingest_LargeBatch_ReadWholeThroughGrowingPooledBuffer(bool gzip)
    {
        // ~6 MiB of JSON: gzip inflates it far beyond the first buffer (8× the compressed length), so the read grows the buffer several times.
        var content = "{\"items\":[" + string.Join(",", Enumerable.Range(0, 200).Select(i => $"{{\"sku\":\"SKU-{i}\",\"qty\":{i % 7}}}")) + "]}";
        var records = Enumerable.Range(0, 700).Select(i =>
        {
            var record = ServerFixture.Record($"/big/{i}");
            record.ResponseBody = new CapturedBody { ContentType = "application/json", Content = content + i };
            return record;
        }).ToList();

        var response = await _server.PostBatchAsync(new IngestBatch { Records = records }, gzip: gzip);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(700, (await response.Content.ReadFromJsonAsync<IngestResponse>())!.Accepted);
        Assert.Equal(content + 699, _server.Store.GetRequest(1, records[^1].Id)!.ResponseBody!.Content);
        Assert.Equal(content + 0, _server.Store.GetRequest(1, records[0].Id)!.ResponseBody!.Content);
    }

    [Fact]
    public async Task Ingest_SeveralGzipMembers_DecodedAsOneBatch()
    {
        // The SDK sends a batch as several gzip members in a row (records compressed on their own threads, RFC 1952 §2.2);
        // cut here in the middle of tokens, so only the members' concatenation is JSON.
        var records = Enumerable.Range(0, 30).Select(i => ServerFixture.Record($"/members/{i}")).ToList();
        var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new IngestBatch { Records = records }, WireJsonContext.Default.IngestBatch);
        using var body = new MemoryStream();
        foreach (var (start, end) in new[] { (0, 17), (17, json.Length / 2), (json.Length / 2, json.Length - 3), (json.Length - 3, json.Length) })
        {
            using var member = new System.IO.Compression.GZipStream(body, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true);
            member.Write(json.AsSpan(start, end - start));
        }
        using var client = _server.Client();
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath) { Content = content };
        request.Headers.Add(WireConstants.ApiKeyHeader, _server.IngestKey);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(30, (await response.Content.ReadFromJsonAsync<IngestResponse>())!.Accepted);
        Assert.All(records, r => Assert.NotNull(_server.Store.GetRequest(1, r.Id)));
    }

    [Fact]
    public async Task Ingest_PlainBodyOverLimitWithoutContentLength_413()
    {
        // Chunked (no Content-Length): the limit is enforced while reading, not from the header.
        var json = new byte[Sightline.Protocol.Wire.WireConstants.MaxBatchBytes + 1];
        json.AsSpan().Fill((byte)' ');
        using var client = new HttpClient { BaseAddress = _server.Address };
        using var content = new StreamContent(new MemoryStream(json));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Sightline.Protocol.Wire.WireConstants.IngestPath) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Add(Sightline.Protocol.Wire.WireConstants.ApiKeyHeader, _server.IngestKey);

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Ingest_SomeInvalidItems_ValidStoredInvalidListed()
    {
        var good = ServerFixture.Record("/good");
        var bad = ServerFixture.Record("/bad");
        bad.Status = 4000;
        var noMethod = ServerFixture.Record("/nomethod");
        noMethod.Method = "";

        var response = await _server.PostBatchAsync(new IngestBatch { Records = [good, bad, noMethod] });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<IngestResponse>();
        Assert.Equal(1, body!.Accepted);
        Assert.Equal([bad.Id.ToString(), noMethod.Id.ToString()], body.Rejected.Select(r => r.Id));
        Assert.Contains("status", body.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.NotNull(_server.Store.GetRequest(1, good.Id));
        Assert.Null(_server.Store.GetRequest(1, bad.Id));
    }

    [Fact]
    public async Task Ingest_RetriedBatch_StoredOnceAndMetricsNotDoubled()
    {
        var now = DateTimeOffset.UtcNow;
        var record = ServerFixture.Record();
        var counts = new long[HistogramBuckets.LatencyMs.Length + 1];
        counts[5] = 10;
        var batch = new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders-api", Instance = "i1", Environment = "prod" },
            Records = [record],
            Metrics = [new MetricsSnapshot { Id = Guid.NewGuid(), PeriodStart = now, PeriodEnd = now.AddSeconds(10),
                Series = [new MetricSeries { RouteTemplate = "/users/{id}", Method = "GET", Status = 200, Count = 10, Duration = new Histogram { Counts = counts, Sum = 50, Max = 5 } }] }],
        };

        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(batch)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _server.PostBatchAsync(batch)).StatusCode);

        var overview = _server.Store.GetOverview(1, now.AddMinutes(-5), now.AddMinutes(5));
        Assert.Equal(10, overview.Requests);
        var page = _server.Store.SearchRequests(1, new Sightline.Server.Query.RequestFilter(null, null, null, null, null, null, null, null, null, null, 50));
        Assert.Single(page.Items);
    }

    [Fact]
    public async Task Ingest_Heartbeat_RegistersInventoryEndpointsNeverCalled()
    {
        var batch = new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders-api", Instance = "i1" },
            Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Kind = "startup", Timestamp = DateTimeOffset.UtcNow, IntervalSeconds = 60,
                Routes = [new RouteInfo { Method = "DELETE", Template = "/orders/{id}" }] }],
        };

        await _server.PostBatchAsync(batch);

        var endpoint = Assert.Single(_server.Store.GetEndpoints(1, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1)));
        Assert.Equal("/orders/{id}", endpoint.Route);
        Assert.True(endpoint.FromInventory);
        Assert.Equal(0, endpoint.Requests);
        var instance = Assert.Single(_server.Store.GetInstances(1, DateTimeOffset.UtcNow));
        Assert.False(instance.Silent);
        Assert.True(Assert.Single(_server.Store.GetInstances(1, DateTimeOffset.UtcNow.AddMinutes(5))).Silent);
    }

    [Fact]
    public async Task Ingest_HeartbeatWithNullServiceName_RejectedAndTheRestStored()
    {
        var record = ServerFixture.Record("/kept");
        var heartbeatId = Guid.NewGuid();
        var json = $$$"""
            {"schemaVersion":1,"records":[{{{JsonSerializer.Serialize(record, WireJsonContext.Default.RequestRecord)}}}],
             "heartbeats":[{"id":"{{{heartbeatId}}}","kind":"startup","timestamp":"{{{DateTimeOffset.UtcNow:O}}}","intervalSeconds":60,"service":{"name":null,"instance":"i-1"}}]}
            """;

        var response = await _server.PostRawAsync(Encoding.UTF8.GetBytes(json));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<IngestResponse>();
        Assert.Equal((1, heartbeatId.ToString()), (body!.Accepted, Assert.Single(body.Rejected).Id));
        Assert.Contains("service.name", body.Rejected[0].Reason, StringComparison.Ordinal);
        Assert.NotNull(_server.Store.GetRequest(1, record.Id));
    }
}
