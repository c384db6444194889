using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Metrics;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.Benchmarks.Middleware;

/// <summary>
/// The SDK middleware on a DefaultHttpContext pipeline whose endpoint reads a 2 KiB JSON request
/// body and writes a 2 KiB JSON response: bare (no middleware) vs metrics only (SampleRate 0) vs
/// full capture (headers + both bodies, 3 redaction paths, 100% sampling). In <c>MetricsOnly</c> and
/// <c>FullCapture</c> records go to a sink that drops them, so only the request-path cost is measured
/// (shipping runs on another thread). <c>RecordsShipped</c> (headers, no bodies) and
/// <c>FullCaptureShipped</c> also serialize and gzip every record into a batch exactly as the shipper
/// does (a batch is finished every 500 records), so they are the SDK's whole CPU cost per request
/// except the queue hand-off and the HTTP POST.
/// Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*MiddlewareBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly byte[] s_body = Encoding.UTF8.GetBytes(Redaction.SampleDocuments.CreateString(2048));
    private RequestDelegate _bare = null!;
    private RequestDelegate _metrics = null!;
    private RequestDelegate _full = null!;
    private RequestDelegate _metricsAsync = null!;
    private RequestDelegate _records = null!;
    private RequestDelegate _recordsShipped = null!;
    private RequestDelegate _fullShipped = null!;
    private RequestDelegate _recordsQueued = null!;
    private RequestDelegate _fullQueued = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = Endpoint;
        _metrics = Build(o => o.SampleRate = 0);
        _full = Build(Full);
        _metricsAsync = Build(o => o.SampleRate = 0, endpoint: AsyncEndpoint);
        _records = Build(o =>
        {
            o.SampleRate = 1;
            o.CaptureRequestBody = false;
            o.CaptureResponseBody = false;
        });
        _recordsShipped = Build(o =>
        {
            o.SampleRate = 1;
            o.CaptureRequestBody = false;
            o.CaptureResponseBody = false;
        }, shipped: true);
        _fullShipped = Build(Full, shipped: true);
        var queue = new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "bench", QueueCapacity = 1_000_000 }), new TransportMetrics());
        _recordsQueued = Build(o =>
        {
            o.SampleRate = 1;
            o.CaptureRequestBody = false;
            o.CaptureResponseBody = false;
        }, sink: queue);
        _fullQueued = Build(Full, sink: queue);
        var drain = new Thread(() => Drain(queue)) { IsBackground = true, Name = "bench shipper" };
        drain.Start();
    }

    // The shipper's part without HTTP: another thread drains the queue every 10 ms (or back to back
    // while busy) into batches of 500, as SightlineShipper does. With it, the loop's process CPU per
    // call includes what a real app pays for handing records across threads (cache misses, objects
    // that survive until the drain, GC).
    private static void Drain(TelemetryQueue queue)
    {
        var batch = new BatchBuilder(new ServiceInfo { Name = "bench", Instance = "bench" });
        while (true)
        {
            var any = false;
            while (queue.TryDequeue(out var item))
            {
                any = true;
                batch.Add(item);
                if (batch.Count >= 500) batch.Finish();
            }
            if (!any) Thread.Sleep(10);
        }
    }

    private static void Full(SightlineOptions o)
    {
        o.SampleRate = 1;
        o.RedactRequestBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
        o.RedactResponseBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
    }

    private static RequestDelegate Build(Action<SightlineOptions> configure, bool shipped = false, RequestDelegate? endpoint = null, ITelemetrySink? sink = null)
    {
        var options = new SightlineOptions { ApiKey = "bench" };
        configure(options);
        var wrapped = Options.Create(options);
        var settings = new CaptureSettings(wrapped, null);
        var middleware = new SightlineMiddleware(endpoint ?? Endpoint, settings, new MetricsAggregator(TimeProvider.System),
            sink ?? (shipped ? new BatchingSink(settings.Service) : new DiscardSink()), TimeProvider.System,
            NullLogger<SightlineMiddleware>.Instance);
        return middleware.InvokeAsync;
    }

    private static async Task Endpoint(HttpContext context)
    {
        var buffer = new byte[4096];
        while (await context.Request.Body.ReadAsync(buffer) > 0)
        {
        }
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(s_body);
    }

    // The same endpoint, but it completes asynchronously (as a real server's often does), so the
    // middleware's async state machine is allocated: that object is the SDK's one allocation in
    // metrics-only mode when the pipeline does not complete synchronously.
    private static async Task AsyncEndpoint(HttpContext context)
    {
        await Task.Yield();
        await Endpoint(context);
    }

    private static DefaultHttpContext NewContext()
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/orders";
        context.Request.ContentType = "application/json";
        context.Request.ContentLength = s_body.Length;
        context.Request.Headers.Authorization = "Bearer secret";
        context.Request.Headers.UserAgent = "bench/1.0";
        context.Request.Body = new MemoryStream(s_body, writable: false);
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return context;
    }

    [Benchmark(Baseline = true)]
    public Task Bare() => _bare(NewContext());

    [Benchmark]
    public Task MetricsOnly() => _metrics(NewContext());

    [Benchmark]
    public Task BareAsync() => AsyncEndpoint(NewContext());

    [Benchmark]
    public Task MetricsOnlyAsync() => _metricsAsync(NewContext());

    [Benchmark]
    public Task FullCapture() => _full(NewContext());

    /// <summary>A record per request (headers, no bodies) written on the request path and discarded: the request thread's share only.</summary>
    [Benchmark]
    public Task Records() => _records(NewContext());

    [Benchmark]
    public Task RecordsShipped() => _recordsShipped(NewContext());

    [Benchmark]
    public Task FullCaptureShipped() => _fullShipped(NewContext());

    /// <summary>Records through the real queue to a draining thread (run in loop mode: process CPU includes that thread).</summary>
    [Benchmark]
    public Task RecordsQueued() => _recordsQueued(NewContext());

    /// <summary>Full capture through the real queue to a draining thread (run in loop mode: process CPU includes that thread).</summary>
    [Benchmark]
    public Task FullCaptureQueued() => _fullQueued(NewContext());

    /// <summary>Serializes and compresses records as the shipper does.</summary>
    private sealed class BatchingSink(ServiceInfo service) : ITelemetrySink
    {
        private readonly BatchBuilder _batch = new(service);

        public bool TryEnqueue(RequestRecord record)
        {
            _batch.Add(record);
            return Finished();
        }

        public bool TryEnqueue(IncomingRecord record)
        {
            _batch.Add(record);
            return Finished();
        }

        public bool TryEnqueue(MetricsSnapshot snapshot) => true;
        public bool TryEnqueue(Heartbeat heartbeat) => true;
        public bool TryEnqueue(SecurityEvent securityEvent) => true;

        private bool Finished()
        {
            if (_batch.Count >= 500) _batch.Finish();
            return true;
        }
    }

    private sealed class DiscardSink : ITelemetrySink
    {
        public bool TryEnqueue(RequestRecord record) => true;
        public bool TryEnqueue(IncomingRecord record)
        {
            record.Release();
            return true;
        }

        public bool TryEnqueue(MetricsSnapshot snapshot) => true;
        public bool TryEnqueue(Heartbeat heartbeat) => true;
        public bool TryEnqueue(SecurityEvent securityEvent) => true;
    }
}
