using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.Benchmarks.Ingest;

/// <summary>Realistic records as the SDK sends them: redacted headers, query, consumer, trace ids; optionally 2 KiB JSON bodies both ways.</summary>
internal static class BenchRecords
{
    private static readonly string[] s_routes = ["/orders/{id}", "/orders", "/customers/{id}", "/customers/{id}/orders", "/products", "/products/{sku}", "/cart", "/checkout", "/search", "/health"];
    private static readonly string[] s_consumers = ["acme-corp", "globex", "initech", "umbrella", "hooli", "stark-industries", "wayne-enterprises", "wonka", "soylent", "tyrell"];
    private static readonly string s_body = BuildBody();

    private static string BuildBody()
    {
        var sb = new StringBuilder("{\"items\":[");
        for (var i = 0; sb.Length < 2000; i++)
            sb.Append(i == 0 ? "" : ",").Append("{\"sku\":\"SKU-").Append(10000 + i).Append("\",\"name\":\"Product ").Append(i).Append("\",\"qty\":").Append(i % 7 + 1).Append(",\"price\":").Append(9.99 + i).Append('}');
        return sb.Append("],\"email\":\"[CLIENT_REDACTED]\"}").ToString();
    }

    public static RequestRecord Record(Random random, DateTimeOffset at, bool bodies)
    {
        var route = s_routes[random.Next(s_routes.Length)];
        var id = random.Next(1, 1_000_000);
        var path = route.Replace("{id}", id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{sku}", "SKU-" + id.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var roll = random.Next(100);
        var status = roll < 1 ? 500 : roll < 5 ? 404 : roll < 7 ? 400 : route is "/orders" or "/checkout" ? 201 : 200;
        var consumer = s_consumers[random.Next(s_consumers.Length)];
        var record = new RequestRecord
        {
            Id = Guid.CreateVersion7(at), Timestamp = at, DurationNs = (long)(random.NextDouble() * random.NextDouble() * 200_000_000) + 300_000,
            Method = route is "/orders" or "/checkout" or "/cart" ? "POST" : "GET", RouteTemplate = route, Path = path, Query = roll % 3 == 0 ? "page=2&limit=50&token=[CLIENT_REDACTED]" : null,
            Host = "api.example.com", Status = status, ClientIp = $"10.{random.Next(256)}.{random.Next(256)}.{random.Next(256)}",
            UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
            RequestHeaders = new()
            {
                ["Host"] = "api.example.com", ["Accept"] = "application/json", ["Accept-Encoding"] = "gzip, deflate, br", ["Accept-Language"] = "en-GB,en;q=0.9",
                ["Authorization"] = "[CLIENT_REDACTED]", ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
                ["X-Request-Id"] = Guid.NewGuid().ToString(), ["traceparent"] = $"00-{Guid.NewGuid():n}-{random.NextInt64():x16}-01",
            },
            ResponseHeaders = new()
            {
                ["Content-Type"] = "application/json; charset=utf-8", ["Date"] = at.ToString("R"), ["Server"] = "Kestrel", ["Cache-Control"] = "no-store",
                ["Vary"] = "Accept-Encoding", ["X-Request-Id"] = Guid.NewGuid().ToString(),
            },
            RequestSize = bodies ? s_body.Length : 0, ResponseSize = bodies ? s_body.Length : random.Next(200, 4000),
            Consumer = new ConsumerInfo { Identifier = consumer, Name = consumer.ToUpperInvariant(), Group = consumer.Length % 2 == 0 ? "enterprise" : "startup" },
            TraceId = Guid.NewGuid().ToString("n"), SpanId = random.NextInt64().ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        };
        if (status == 500)
            record.Errors = [new ErrorInfo { Type = "System.TimeoutException", Message = "The operation has timed out.", Fingerprint = "TimeoutException@" + route, Source = "unhandled",
                StackTrace = "   at Orders.Data.OrderRepository.GetAsync(Int32 id)\n   at Orders.Api.OrdersEndpoints.Get(Int32 id)" }];
        if (bodies)
        {
            // Complete JSON bodies travel as raw JSON values, as the SDK sends them.
            record.RequestBody = new CapturedBody { ContentType = "application/json", Json = s_body };
            record.ResponseBody = new CapturedBody { ContentType = "application/json", Json = s_body };
        }
        return record;
    }

    /// <summary>One metrics snapshot for a minute: 10 routes × 2 statuses × 2 consumers.</summary>
    public static MetricsSnapshot Snapshot(Random random, DateTimeOffset minute, int perSeries)
    {
        var series = new List<MetricSeries>();
        foreach (var route in s_routes)
            foreach (var status in new[] { 200, 500 })
                foreach (var consumer in s_consumers.AsSpan(0, 2))
                {
                    var count = status == 500 ? Math.Max(1, perSeries / 100) : perSeries;
                    var counts = new long[HistogramBuckets.LatencyMs.Length + 1];
                    for (var i = 0; i < count; i++) counts[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, random.NextDouble() * random.NextDouble() * 200)]++;
                    series.Add(new MetricSeries { RouteTemplate = route, Method = "GET", Status = status, Consumer = consumer, Count = count, ErrorCount = status == 500 ? count : 0,
                        Duration = new Histogram { Counts = counts, Sum = count * 20, Max = 200 }, ResponseSize = new Histogram { Counts = [0, 0, 0, count], Sum = count * 200, Max = 256 } });
                }
        return new MetricsSnapshot { Id = Guid.NewGuid(), PeriodStart = minute, PeriodEnd = minute.AddMinutes(1), Series = series };
    }

    /// <summary>
    /// Batch <paramref name="index"/> of a run of <paramref name="total"/> records spread over the 10 minutes
    /// after <paramref name="start"/> in arrival order, each up to 5 s late (several SDK instances flushing
    /// every few seconds), with one metrics snapshot every 10 batches.
    /// </summary>
    public static IngestBatch Batch(Random random, DateTimeOffset start, int first, int total, bool bodies, int count, int index)
    {
        var batch = new IngestBatch { Service = new ServiceInfo { Name = "orders-api", Version = "2.4.1", Environment = "production", Instance = "bench-1", SdkVersion = "0.1.0", Runtime = ".NET 10.0" } };
        for (var i = 0; i < count; i++)
            batch.Records.Add(Record(random, start.AddMilliseconds(600_000.0 * (first + i) / total - random.Next(5_000)), bodies));
        if (index % 10 == 0)
            batch.Metrics.Add(Snapshot(random, new DateTimeOffset(start.AddMilliseconds(600_000.0 * first / total).Ticks / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero), 50));
        return batch;
    }

    public static byte[] Gzip(IngestBatch batch)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, true))
            JsonSerializer.Serialize(gzip, batch, WireJsonContext.Default.IngestBatch);
        return buffer.ToArray();
    }

    public static int JsonSize(RequestRecord record) => JsonSerializer.SerializeToUtf8Bytes(record, WireJsonContext.Default.RequestRecord).Length;
}
