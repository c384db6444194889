using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Metrics;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>
/// Records are written as UTF-8 JSON straight from the HttpContext by a hand-written fast path:
/// what the server parses must be exactly what was captured, whatever the header values contain.
/// </summary>
public sealed class IncomingRecordWriterTests
{
    private static readonly byte[] s_json = Encoding.UTF8.GetBytes("{\"user\":{\"email\":\"anna@example.com\",\"name\":\"Grüße \\\"q\\\"\"}}");

    private static (SightlineMiddleware Middleware, CapturingSink Sink) Create(Action<SightlineOptions>? configure = null, RequestDelegate? next = null, ITelemetrySink? sink = null)
    {
        var options = new SightlineOptions { ApiKey = "k", SampleRate = 1, RedactRequestBody = ["$.user.email"], RedactHeaders = ["X-Secret-Thing"] };
        configure?.Invoke(options);
        var settings = new CaptureSettings(Options.Create(options), null);
        var capturing = new CapturingSink();
        var middleware = new SightlineMiddleware(next ?? Echo, settings, new MetricsAggregator(TimeProvider.System), sink ?? capturing,
            TimeProvider.System, NullLogger<SightlineMiddleware>.Instance);
        return (middleware, capturing);
    }

    private static async Task Echo(HttpContext context)
    {
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy);
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        context.Response.Headers["X-Multi"] = new[] { "one", "two \"2\"" };
        await context.Response.Body.WriteAsync(copy.ToArray());
    }

    private static DefaultHttpContext NewContext(string path = "/orders")
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = path;
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = s_json.Length;
        context.Request.Body = new MemoryStream(s_json, writable: false);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(new MemoryStream()));
        return context;
    }

    private static RequestRecord Parse(IncomingRecord incoming)
    {
        using var document = JsonDocument.Parse(incoming.Json.ToArray()); // strict: invalid JSON fails here
        var record = JsonSerializer.Deserialize(incoming.Json, WireJsonContext.Default.RequestRecord)!;
        incoming.Release();
        return record;
    }

    [Fact]
    public async Task Write_FullRecord_ParsesToEveryCapturedField()
    {
        var (middleware, sink) = Create();
        var context = NewContext("/orders/ü \"x\"");
        context.Request.QueryString = new QueryString("?a=1&token=abc");
        context.Request.Host = new HostString("example.com:8080");
        context.Request.Headers.Authorization = "Bearer secret";
        context.Request.Headers["x-secret-THING"] = "hidden";
        context.Request.Headers.UserAgent = new[] { "agent/1", "extra \u0001" };
        context.Request.Headers["X-Long"] = new string('a', 5000);
        context.Connection.RemoteIpAddress = IPAddress.Parse("2001:db8::1");
        context.SetSightlineConsumer("c-1", "Anna \"A\"");
        using var activity = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();

        await middleware.InvokeAsync(context);
        activity.Stop();

        var incoming = Assert.Single(sink.Records);
        var r = Parse(incoming);
        var feature = context.Features.Get<SightlineFeature>()!;
        Assert.Equal(feature.RecordId, r.Id);
        Assert.Equal(WireConstants.DirectionIncoming, r.Direction);
        Assert.True(DateTimeOffset.UtcNow - r.Timestamp < TimeSpan.FromMinutes(1));
        Assert.True(r.DurationNs > 0);
        Assert.Equal("POST", r.Method);
        Assert.Equal("/orders/ü \"x\"", r.Path);
        Assert.Equal(SightlineMiddleware.UnmatchedRoute, r.RouteTemplate);
        Assert.Equal("?a=1&token=" + Uri.EscapeDataString(RedactionDefaults.RedactedValue), r.Query);
        Assert.Equal("example.com:8080", r.Host);
        Assert.Null(r.Url);
        Assert.Equal(201, r.Status);
        Assert.Equal(RedactionDefaults.RedactedValue, r.RequestHeaders!["Authorization"]);
        Assert.Equal(RedactionDefaults.RedactedValue, r.RequestHeaders["x-secret-THING"]);
        Assert.Equal("agent/1, extra \u0001", r.RequestHeaders["User-Agent"]);
        Assert.Equal(new string('a', 4096), r.RequestHeaders["X-Long"]);
        Assert.Equal("one, two \"2\"", r.ResponseHeaders!["X-Multi"]);
        Assert.Equal("application/json", r.ResponseHeaders["Content-Type"]);
        // The request body was redacted by paths, so it travels as raw JSON; the response (no paths) as a string.
        Assert.Null(r.RequestBody!.Content);
        Assert.Contains("\"email\":\"" + RedactionDefaults.RedactedValue + "\"", r.RequestBody.Json, StringComparison.Ordinal);
        Assert.Null(r.ResponseBody!.Json);
        Assert.Contains("Grüße", r.ResponseBody.Content, StringComparison.Ordinal);
        Assert.Equal(s_json.Length, r.RequestSize);
        Assert.Equal(s_json.Length, r.ResponseSize);
        Assert.Equal("2001:db8::1", r.ClientIp);
        Assert.Equal("agent/1,extra \u0001", r.UserAgent); // StringValues.ToString(), as before the fast path
        Assert.Equal("c-1", r.Consumer!.Identifier);
        Assert.Equal("Anna \"A\"", r.Consumer.Name);
        Assert.Equal(activity.TraceId.ToHexString(), r.TraceId);
        Assert.Equal(activity.SpanId.ToHexString(), r.SpanId);
    }

    [Fact]
    public async Task Write_NoBodiesNoClientNoConsumer_OmitsThoseMembers()
    {
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false);
        await middleware.InvokeAsync(NewContext());

        var incoming = Assert.Single(sink.Records);
        var json = Encoding.UTF8.GetString(incoming.Json);
        var r = Parse(incoming);
        Assert.Null(r.RequestBody);
        Assert.Null(r.ResponseBody);
        Assert.Null(r.ClientIp);
        Assert.Null(r.Consumer);
        Assert.Null(r.Query);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
        Assert.Equal(32, r.TraceId!.Length);
        Assert.Equal(16, r.SpanId!.Length);
    }

    [Fact]
    public async Task Write_NoActivity_GeneratedTraceIdIsTheOneOutgoingCallsSee()
    {
        string? seenByApp = null;
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false, next: context =>
        {
            seenByApp = context.Features.Get<SightlineFeature>()!.TraceId; // what an outgoing call made here is tagged with
            return Task.CompletedTask;
        });
        Assert.Null(Activity.Current);

        var ids = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            await middleware.InvokeAsync(NewContext());
            var r = Parse(Assert.Single(sink.Records));
            sink.Records.Clear();
            Assert.Equal(seenByApp, r.TraceId);
            Assert.Matches("^[0-9a-f]{32}$", r.TraceId);
            Assert.Matches("^[0-9a-f]{16}$", r.SpanId);
            Assert.NotEqual(new string('0', 32), r.TraceId);
            Assert.True(ids.Add(r.TraceId!));
            Assert.True(ActivityTraceId.CreateFromString(r.TraceId) != default);
        }
    }

    public static TheoryData<string> HeaderValues() => new()
    {
        "plain ascii",
        "",
        "quote \" and backslash \\ and slash /",
        "controls \u0000\u0001\u0008\u0009\u000A\u000C\u000D\u001B\u001F end",
        "del \u007F",
        "Grüße 日本 😀",
        "<script>&amp;'</script>",
        "\u2028\u2029",
        new string('é', 4095) + "\"",
        "\\\\\\\"",
    };

    [Theory]
    [MemberData(nameof(HeaderValues))]
    public async Task Write_HeaderValue_ParsesToTheSameString(string value)
    {
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false);
        var context = NewContext();
        context.Request.Headers["X-Test"] = value;
        context.Request.Headers["X-Name-\"Odd\""] = value; // names go through the same escaping
        context.Request.Path = "/p/" + value;

        await middleware.InvokeAsync(context);

        var r = Parse(Assert.Single(sink.Records));
        Assert.Equal(value, r.RequestHeaders!["X-Test"]);
        Assert.Equal(value, r.RequestHeaders["X-Name-\"Odd\""]);
        Assert.Equal(("/p/" + value)[..Math.Min(2048, value.Length + 3)], r.Path);
    }

    [Fact]
    public async Task Write_LoneSurrogate_BecomesReplacementCharacterNotALostRecord()
    {
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false);
        var context = NewContext();
        context.Request.Headers["X-Test"] = "a\uD800b";

        await middleware.InvokeAsync(context);

        var r = Parse(Assert.Single(sink.Records));
        Assert.Equal("a\uFFFDb", r.RequestHeaders!["X-Test"]);
    }

    [Fact]
    public async Task Write_IPv4Client_WrittenAsDottedQuad()
    {
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false);
        var context = NewContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.7");

        await middleware.InvokeAsync(context);

        Assert.Equal("203.0.113.7", Parse(Assert.Single(sink.Records)).ClientIp);
    }

    [Fact]
    public async Task RouteCache_ManyRoutesFromManyThreads_EveryRecordHasItsOwnTemplate()
    {
        var (middleware, sink) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false,
            next: static context => { context.Response.StatusCode = 204; return Task.CompletedTask; });
        var endpoints = Enumerable.Range(0, 300)
            .Select(i => new RouteEndpoint(static _ => Task.CompletedTask, RoutePatternFactory.Parse($"items/{{id}}/r{i}"), 0, EndpointMetadataCollection.Empty, $"r{i}"))
            .ToArray();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (var n = 0; n < 600; n++)
            {
                var i = (n * 7 + t * 31) % endpoints.Length;
                var context = NewContext($"/items/{t}-{n}/r{i}");
                context.SetEndpoint(endpoints[i]);
                await middleware.InvokeAsync(context);
            }
        })));

        var records = sink.Records.Select(Parse).ToList();
        Assert.Equal(8 * 600, records.Count);
        foreach (var r in records)
        {
            var suffix = r.Path![(r.Path.LastIndexOf('/') + 1)..];
            Assert.Equal("/items/{id}/" + suffix, r.RouteTemplate);
        }
    }

    [Fact]
    public async Task Queue_RecordsFromManyThreads_EachArrivesInABatchExactlyOnce()
    {
        var options = Options.Create(new SightlineOptions { ApiKey = "k", QueueCapacity = 100_000 });
        var queue = new TelemetryQueue(options, new TransportMetrics());
        var (middleware, _) = Create(o => o.CaptureRequestBody = o.CaptureResponseBody = false, sink: queue);
        var batches = new List<IngestBatch>();
        using var stop = new CancellationTokenSource();
        var drain = Task.Run(() =>
        {
            using var batch = new BatchBuilder(new ServiceInfo { Name = "t", Instance = "i" });
            while (true)
            {
                var stopping = stop.IsCancellationRequested;
                if (stopping) queue.SealOpenSegments(); // as the shipper does when a batch is due: the threads' open segments
                while (queue.TryDequeue(out var item))
                {
                    batch.Add(item);
                    if (batch.Count >= 97) batches.Add(Decode(batch.Finish()));
                }
                if (stopping) break;
                Thread.Sleep(1);
            }
            if (batch.Count > 0) batches.Add(Decode(batch.Finish()));
        });

        await Task.WhenAll(Enumerable.Range(0, 6).Select(t => Task.Run(async () =>
        {
            for (var n = 0; n < 500; n++) await middleware.InvokeAsync(NewContext($"/t{t}/{n}"));
        })));
        await stop.CancelAsync();
        await drain;

        var records = batches.SelectMany(b => b.Records).ToList();
        Assert.Equal(6 * 500, records.Count);
        Assert.Equal(6 * 500, records.Select(r => r.Path).Distinct().Count());
        Assert.Equal(6 * 500, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task HeaderNames_SameInstancesAcrossAppsAndRequests_EachAppsRedactionKept()
    {
        // The writer caches, per thread and per header-name instance, the name's JSON and whether it is redacted.
        // Two apps with different RedactHeaders on one thread, the same name instances in every request, and
        // enough other names to fill the cache: each record must still follow its own app's rules.
        const string shared = "X-Tenant-Token";
        var names = Enumerable.Range(0, 300).Select(i => $"X-Name-{i}").ToArray();
        var (redacting, redactingSink) = Create(o => o.RedactHeaders = [shared, "X-Name-7"]);
        var (plain, plainSink) = Create(o => o.RedactHeaders = []);
        for (var round = 0; round < 3; round++)
        {
            foreach (var middleware in new[] { redacting, plain })
            {
                var context = NewContext();
                context.Request.Headers[shared] = "tok \"1\"";
                foreach (var name in names) context.Request.Headers[name] = name + "-value";
                await middleware.InvokeAsync(context);
            }
        }

        Assert.Equal(3, redactingSink.Records.Count);
        Assert.Equal(3, plainSink.Records.Count);
        foreach (var record in redactingSink.Records.Select(Parse))
        {
            Assert.Equal(RedactionDefaults.RedactedValue, record.RequestHeaders![shared]);
            Assert.Equal(RedactionDefaults.RedactedValue, record.RequestHeaders["X-Name-7"]);
            Assert.Equal("X-Name-299-value", record.RequestHeaders["X-Name-299"]);
        }
        foreach (var record in plainSink.Records.Select(Parse))
        {
            Assert.Equal("tok \"1\"", record.RequestHeaders![shared]);
            Assert.Equal("X-Name-7-value", record.RequestHeaders["X-Name-7"]);
            Assert.Equal(names.Length + 3, record.RequestHeaders.Count); // the names, Content-Type, Content-Length and the shared one
        }
    }

    [Fact]
    public async Task HeaderNames_NewInstanceEveryRequest_CachedByTextAndEachAppsRedactionKept()
    {
        // Kestrel allocates the names of headers it does not know anew for every request, and the writer's name cache
        // is keyed by the text. Whatever instance carries a name, each record must keep its app's rules (two apps on
        // one thread), a name that differs only in case its own case and redaction, and names never seen again must
        // not disturb the others once they have filled the cache's free slots.
        var (redacting, redactingSink) = Create(o => o.RedactHeaders = ["X-Tenant-Token"]);
        var (plain, plainSink) = Create(o => o.RedactHeaders = []);
        for (var round = 0; round < 200; round++)
        {
            foreach (var middleware in new[] { redacting, plain })
            {
                var context = NewContext();
                context.Request.Headers[new string(TenantHeader(round).AsSpan())] = $"tok-{round}";
                context.Request.Headers[new string("x-tenant-token-2".AsSpan())] = "second";
                context.Request.Headers[new string($"X-Once-{round}".AsSpan())] = "once"; // fills the cache with names never seen again
                await middleware.InvokeAsync(context);
            }
        }

        // One name in two cases that differ only where NameHash does not look: the same cache slot, two entries.
        static string TenantHeader(int round) => round % 2 == 0 ? "X-Tenant-Token" : "X-tENANt-Token";

        Assert.Equal(200, redactingSink.Records.Count);
        Assert.Equal(200, plainSink.Records.Count);
        foreach (var (record, round) in redactingSink.Records.Select(Parse).Select((r, i) => (r, i)))
        {
            Assert.Equal(RedactionDefaults.RedactedValue, record.RequestHeaders![TenantHeader(round)]);
            Assert.Equal("second", record.RequestHeaders["x-tenant-token-2"]);
            Assert.Equal("once", record.RequestHeaders[$"X-Once-{round}"]);
        }
        foreach (var (record, round) in plainSink.Records.Select(Parse).Select((r, i) => (r, i)))
        {
            Assert.Equal($"tok-{round}", record.RequestHeaders![TenantHeader(round)]); // the key in the case it came in
            Assert.Equal("once", record.RequestHeaders[$"X-Once-{round}"]);
        }
    }

    private static IngestBatch Decode(ReadOnlyMemory<byte> gzip)
    {
        using var stream = new GZipStream(new MemoryStream(gzip.ToArray()), CompressionMode.Decompress);
        return JsonSerializer.Deserialize(stream, WireJsonContext.Default.IngestBatch)!;
    }

    private sealed class CapturingSink : ITelemetrySink
    {
        public ConcurrentQueue<IncomingRecord> Records { get; } = new();

        public bool TryEnqueue(RequestRecord record) => true;
        public bool TryEnqueue(IncomingRecord record)
        {
            Records.Enqueue(record);
            return true;
        }

        public bool TryEnqueue(MetricsSnapshot snapshot) => true;
        public bool TryEnqueue(Heartbeat heartbeat) => true;
        public bool TryEnqueue(SecurityEvent securityEvent) => true;
    }
}
