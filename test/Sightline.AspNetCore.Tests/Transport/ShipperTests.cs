using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

public sealed class ShipperTests : IDisposable
{
    private readonly string _spool = Path.Combine(Path.GetTempPath(), "sightline-shipper-tests", Guid.NewGuid().ToString("n"));
    private readonly List<TransportMetrics> _metrics = [];

    private (SightlineShipper Shipper, TelemetryQueue Queue, CounterListener Counters) Create(Uri endpoint, Action<SightlineOptions>? configure = null)
    {
        var options = new SightlineOptions
        {
            ApiKey = "sl_test",
            Endpoint = endpoint,
            FlushInterval = TimeSpan.FromMilliseconds(50),
            SpoolDirectory = _spool,
            MaxRetryDelay = TimeSpan.FromSeconds(5),
            ShutdownTimeout = TimeSpan.FromSeconds(2),
            RequestTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        var wrapped = Options.Create(options);
        var metrics = new TransportMetrics();
        _metrics.Add(metrics);
        var counters = new CounterListener(metrics);
        var queue = new TelemetryQueue(wrapped, metrics);
        var shipper = new SightlineShipper(queue, wrapped, new CaptureSettings(wrapped, null), metrics, TimeProvider.System, NullLogger<SightlineShipper>.Instance);
        return (shipper, queue, counters);
    }

    private static RequestRecord NewRecord(string path = "/x") => new() { Id = Guid.NewGuid(), Method = "GET", Path = path, RouteTemplate = path, Status = 200, Timestamp = DateTimeOffset.UtcNow };

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Send_HappyPath_GzipBatchWithKeyAndService()
    {
        await using var collector = await Collector.StartAsync();
        var (shipper, queue, _) = Create(collector.Address);
        await shipper.StartAsync(default);
        var record = NewRecord();

        Assert.True(queue.TryEnqueue(record));
        Assert.True(queue.TryEnqueue(new MetricsSnapshot { Id = Guid.NewGuid(), Series = [new MetricSeries { RouteTemplate = "/x", Method = "GET", Status = 200, Count = 3 }] }));

        await collector.WaitUntilAsync(() => collector.Records.Any(r => r.Id == record.Id) && collector.Batches.Any(b => b.Metrics.Count > 0));
        await shipper.StopAsync(default);
        Assert.Equal("sl_test", collector.ApiKeys.First());
        Assert.Equal(WireConstants.SchemaVersion, collector.Batches.First().SchemaVersion);
    }

    [Fact]
    public async Task Send_429WithRetryAfter_WaitsThenSucceeds()
    {
        await using var collector = await Collector.StartAsync();
        var stopwatch = new Stopwatch();
        collector.Respond = attempt =>
        {
            if (attempt != 1) return null;
            stopwatch.Start();
            return new RetryAfterResult(429, 1);
        };
        var (shipper, queue, counters) = Create(collector.Address);
        await shipper.StartAsync(default);
        var record = NewRecord();

        queue.TryEnqueue(record);
        await collector.WaitForRecordAsync(r => r.Id == record.Id);
        stopwatch.Stop();

        Assert.True(stopwatch.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {stopwatch.Elapsed}, Retry-After said 1 s");
        Assert.Equal(2, collector.Attempts);
        Assert.Equal(1, counters["batches.retried"]);
        await shipper.StopAsync(default);
    }

    [Fact]
    public async Task Send_503Twice_RetriedUntilAccepted()
    {
        await using var collector = await Collector.StartAsync();
        collector.Respond = attempt => attempt <= 2 ? Results.StatusCode(503) : null;
        var (shipper, queue, counters) = Create(collector.Address);
        await shipper.StartAsync(default);
        var record = NewRecord();

        queue.TryEnqueue(record);

        await collector.WaitForRecordAsync(r => r.Id == record.Id);
        Assert.Equal(3, collector.Attempts);
        Assert.Equal(2, counters["batches.retried"]);
        await shipper.StopAsync(default);
    }

    [Fact]
    public async Task Send_400_IsDroppedNotRetried()
    {
        await using var collector = await Collector.StartAsync();
        collector.Respond = _ => Results.Problem(statusCode: 400, title: "bad");
        var (shipper, queue, counters) = Create(collector.Address);
        await shipper.StartAsync(default);

        queue.TryEnqueue(NewRecord());

        await collector.WaitUntilAsync(() => counters["items.dropped"] == 1);
        await Task.Delay(300);
        Assert.Equal(1, collector.Attempts);
        await shipper.StopAsync(default);
    }

    [Fact]
    public async Task ServerDownThenUp_SpooledBatchesDeliveredNothingLost()
    {
        var port = FreePort();
        var endpoint = new Uri($"http://127.0.0.1:{port}");
        var (shipper, queue, counters) = Create(endpoint);
        await shipper.StartAsync(default);
        var ids = new HashSet<Guid>();
        for (var i = 0; i < 20; i++)
        {
            var r = NewRecord("/down/" + i);
            ids.Add(r.Id);
            queue.TryEnqueue(r);
            await Task.Delay(20);
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (counters["batches.spooled"] == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.True(counters["batches.spooled"] > 0, "batches must be spooled while the server is down");

        await using var collector = await Collector.StartAsync(port);
        await collector.WaitUntilAsync(() => ids.IsSubsetOf(collector.Records.Select(r => r.Id)), TimeSpan.FromSeconds(30));

        Assert.Equal(0, counters["items.dropped"]);
        Assert.Equal(collector.Records.Count(), collector.Records.Select(r => r.Id).Distinct().Count() + (collector.Records.Count() - collector.Records.Select(r => r.Id).Distinct().Count()));
        await shipper.StopAsync(default);
    }

    [Fact]
    public async Task ServerDown_ProbesAfterTheFirstFailureAreSingleAttempts_QueueKeepsFlowingToTheSpool()
    {
        // The first failed batch is retried inline (3 attempts within a few hundred ms); after that the server is
        // probed once per away period (1 s, then 2 s, ...). A probe retried inline held the queue up for its
        // back-offs at every probe, and a busy app's queue overflowed though the spool had room.
        await using var collector = await Collector.StartAsync();
        var attemptTimes = new System.Collections.Concurrent.ConcurrentQueue<DateTime>();
        collector.Respond = _ =>
        {
            attemptTimes.Enqueue(DateTime.UtcNow);
            return Results.StatusCode(503);
        };
        var (shipper, queue, counters) = Create(collector.Address, o => o.QueueCapacity = 400);
        await shipper.StartAsync(default);

        var until = DateTime.UtcNow.AddSeconds(4.5);
        while (DateTime.UtcNow < until)
        {
            queue.TryEnqueue(NewRecord());
            await Task.Delay(5);
        }

        var times = attemptTimes.ToArray();
        Assert.True(times.Length >= 4, $"the server must be probed after the first failure ({times.Length} attempts)");
        for (var i = 3; i < times.Length; i++)
            Assert.True(times[i] - times[i - 1] >= TimeSpan.FromMilliseconds(900), $"attempt {i} came {(times[i] - times[i - 1]).TotalMilliseconds:F0} ms after the one before");
        Assert.True(counters["batches.spooled"] >= 3, "batches go to the spool while the server is away");
        Assert.Equal(0, counters["items.dropped"]);
        await shipper.StopAsync(default);
    }

    [Fact]
    public async Task Spool_SurvivesShipperRestart()
    {
        var port = FreePort();
        var endpoint = new Uri($"http://127.0.0.1:{port}");
        var (first, queue, counters) = Create(endpoint);
        await first.StartAsync(default);
        var record = NewRecord("/restart");
        queue.TryEnqueue(record);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (counters["batches.spooled"] == 0 && DateTime.UtcNow < deadline) await Task.Delay(50);
        await first.StopAsync(default);
        first.Dispose();
        Assert.True(Directory.EnumerateFiles(_spool, "*.batch").Any(), "the batch must be on disk");

        await using var collector = await Collector.StartAsync(port);
        var (second, _, _) = Create(endpoint);
        await second.StartAsync(default);

        await collector.WaitForRecordAsync(r => r.Id == record.Id, TimeSpan.FromSeconds(20));
        await collector.WaitUntilAsync(() => !Directory.EnumerateFiles(_spool, "*.batch").Any());
        await second.StopAsync(default);
    }

    [Fact]
    public void Spool_OverMaxBytes_DropsOldestAndCounts()
    {
        var spool = new DiskSpool(_spool, maxBytes: 2500, TimeSpan.FromHours(1), 10, TimeProvider.System);

        for (var i = 0; i < 5; i++) spool.Write(new byte[1000], out _);

        Assert.Equal(2, spool.Count);
    }

    [Fact]
    public void Queue_Full_DropsAndCounts()
    {
        var (_, queue, counters) = Create(new Uri("http://127.0.0.1:9"), o => o.QueueCapacity = 2);

        var accepted = Enumerable.Range(0, 5).Count(_ => queue.TryEnqueue(NewRecord()));

        Assert.Equal(2, accepted);
        Assert.Equal(3, counters["items.dropped"]);
        Assert.Equal(2, counters["items.queued"]);
    }

    [Fact]
    public void Counters_OfOneShipper_DoNotSeeAnotherShippersItems()
    {
        // Tests run in parallel in one process, all on the meter name Sightline.AspNetCore: a listener that matched by
        // name counted other tests' shippers (Queue_Full_DropsAndCounts once saw 24 queued items instead of 2).
        var (_, mine, counters) = Create(new Uri("http://127.0.0.1:9"), o => o.QueueCapacity = 2);
        var (_, other, _) = Create(new Uri("http://127.0.0.1:9"), o => o.QueueCapacity = 2);

        for (var i = 0; i < 5; i++) other.TryEnqueue(NewRecord());
        mine.TryEnqueue(NewRecord());

        Assert.Equal(1, counters["items.queued"]);
        Assert.Equal(0, counters["items.dropped"]);
    }

    [Fact]
    public async Task Shutdown_BatchInFlight_IsSentAgainNotLost()
    {
        await using var collector = await Collector.StartAsync();
        // The first POST is still in flight when the app stops (then fails); the batch must be finished by the shutdown drain.
        collector.Respond = static attempt =>
        {
            if (attempt != 1) return null;
            Thread.Sleep(1500);
            return Results.StatusCode(503);
        };
        var (shipper, queue, _) = Create(collector.Address, o => o.SpoolDirectory = "");
        await shipper.StartAsync(default);
        var record = NewRecord();
        Assert.True(queue.TryEnqueue(record));
        await collector.WaitUntilAsync(() => collector.Attempts >= 1);

        await shipper.StopAsync(default);

        Assert.Contains(collector.Records, r => r.Id == record.Id);
    }

    [Fact]
    public async Task Shutdown_ServerHangs_FinishesWithinDeadlineAndSpools()
    {
        await using var collector = await Collector.StartAsync();
        collector.Respond = _ => new HangResult();
        var (shipper, queue, counters) = Create(collector.Address, o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        queue.TryEnqueue(NewRecord()); // the loop never ran: shutdown has to drain it

        var stopwatch = Stopwatch.StartNew();
        await shipper.StopAsync(default);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"shutdown took {stopwatch.Elapsed}");
        Assert.Equal(1, counters["batches.spooled"]);
    }

    // An incoming record for path (compressed into this thread's segment).
    private static IncomingRecord NewIncoming(string path)
        => PooledRecords.Incoming($"{{\"id\":\"{Guid.NewGuid()}\",\"method\":\"GET\",\"path\":\"{path}\",\"status\":200}}");

    [Fact]
    public async Task Shutdown_RecordsInOpenSegments_AreSealedAndSent()
    {
        // A flush interval far longer than the test: only the shutdown drain can send what the threads' open segments hold.
        await using var collector = await Collector.StartAsync();
        var (shipper, queue, counters) = Create(collector.Address, o => o.FlushInterval = TimeSpan.FromMinutes(5));
        await shipper.StartAsync(default);
        await Task.WhenAll(Enumerable.Range(0, 3).Select(t => Task.Factory.StartNew(() =>
        {
            for (var i = 0; i < 5; i++) Assert.True(queue.TryEnqueue(NewIncoming($"/t{t}/{i}")));
        }, TaskCreationOptions.LongRunning)));
        Assert.Equal(0, queue.Count); // five records per thread: all still in open segments

        await shipper.StopAsync(default);

        Assert.Equal(15, collector.Records.Select(r => r.Path).Distinct().Count());
        Assert.Equal(15, counters["items.sent"]);
    }

    [Fact]
    public async Task Segments_NeverTakeABatchPastBatchMaxItems()
    {
        // BatchMaxItems 8: segments of 2. Queued: 2, 2, 2, 1 (sealed early), 2, 2 records. The fifth segment would make
        // the first batch 9, so it starts the second one: batches of 7 and 4.
        await using var collector = await Collector.StartAsync();
        var (shipper, queue, _) = Create(collector.Address, o => { o.BatchMaxItems = 8; o.FlushInterval = TimeSpan.FromMinutes(5); });
        for (var i = 0; i < 7; i++) Assert.True(queue.TryEnqueue(NewIncoming($"/r{i}")));
        Assert.Equal(1, queue.SealOpenSegments());
        for (var i = 7; i < 11; i++) Assert.True(queue.TryEnqueue(NewIncoming($"/r{i}")));
        Assert.Equal(11, queue.Count);

        await shipper.StartAsync(default);
        await collector.WaitUntilAsync(() => collector.Records.Count() >= 7);
        await shipper.StopAsync(default);

        Assert.Equal([7, 4], collector.Batches.Select(b => b.Records.Count));
        Assert.Equal(Enumerable.Range(0, 11).Select(i => $"/r{i}"), collector.Records.Select(r => r.Path));
    }

    public void Dispose()
    {
        foreach (var m in _metrics) m.Dispose();
        try
        {
            Directory.Delete(_spool, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private sealed class RetryAfterResult(int status, int seconds) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = status;
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
    }

    private sealed class HangResult : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => Task.Delay(TimeSpan.FromSeconds(30), httpContext.RequestAborted);
    }
}
