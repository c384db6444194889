using System.Diagnostics;
using System.Globalization;
using Sightline.Protocol.Wire;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Benchmarks.Ingest;

/// <summary>
/// Query latency over a filled store: <c>records</c> records spread over the last 24 hours (filled
/// through the store's bulk path, 5,000 per batch) plus one metrics snapshot per minute (40 series),
/// then the overview (last hour, last 24 h) and the request log's first page (no filter, and with
/// filters), each run 20 times after warm-up. Prints median and p95.
/// </summary>
internal static class QueryLatency
{
    public static async Task RunAsync(string kind, int records)
    {
        using var target = BenchTarget.Create(kind);
        using var store = target.OpenStore();
        var project = store.EnsureProject("default").Id;
        var random = new Random(7);
        var end = DateTimeOffset.UtcNow;
        var start = end.AddHours(-24);
        var batchSize = records >= 5_000_000 ? 20_000 : 5000;
        var minutes = (int)(end - start).TotalMinutes;
        var clock = Stopwatch.StartNew();
        var snapshotsStored = 0;
        var storeTime = TimeSpan.Zero;
        for (var made = 0; made < records; made += batchSize)
        {
            var batch = new IngestBatch { Service = new ServiceInfo { Name = "orders-api", Environment = "production", Instance = "bench" } };
            var n = Math.Min(batchSize, records - made);
            for (var i = 0; i < n; i++)
                batch.Records.Add(BenchRecords.Record(random, start.AddMilliseconds((made + i) * (end - start).TotalMilliseconds / records), false));
            var snapshotsDue = (int)((long)(made + n) * minutes / records);
            for (; snapshotsStored < snapshotsDue; snapshotsStored++)
                batch.Metrics.Add(BenchRecords.Snapshot(random, start.AddMinutes(snapshotsStored), 50));
            var storeStarted = Stopwatch.GetTimestamp();
            await store.StoreAsync(project, batch, CancellationToken.None);
            storeTime += Stopwatch.GetElapsedTime(storeStarted);
            if ((made / batchSize) % 100 == 99) Console.Error.WriteLine($"  filled {made + n} in {clock.Elapsed.TotalSeconds:F0} s");
        }
        clock.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fill store: {kind} records: {records} seconds: {clock.Elapsed.TotalSeconds:F1} records_per_s: {records / clock.Elapsed.TotalSeconds:F0} store_only_records_per_s: {records / storeTime.TotalSeconds:F0} process_cpu_s: {Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds:F1}"));

        var lastHour = (From: end.AddHours(-1), To: end);
        Measure(kind, records, "overview_1h", () => store.GetOverview(project, lastHour.From, lastHour.To));
        Measure(kind, records, "overview_24h", () => store.GetOverview(project, start, end));
        Measure(kind, records, "endpoints_1h", () => store.GetEndpoints(project, lastHour.From, lastHour.To));
        Measure(kind, records, "log_first_page", () => store.SearchRequests(project, Filter(lastHour.From, lastHour.To)));
        Measure(kind, records, "log_first_page_24h", () => store.SearchRequests(project, Filter(start, end)));
        Measure(kind, records, "log_status5xx", () => store.SearchRequests(project, Filter(lastHour.From, lastHour.To) with { StatusClass = 5 }));
        Measure(kind, records, "log_consumer_route", () => store.SearchRequests(project, Filter(lastHour.From, lastHour.To) with { Consumer = "globex", Route = "/orders/{id}" }));
        Measure(kind, records, "log_path_text", () => store.SearchRequests(project, Filter(lastHour.From, lastHour.To) with { PathContains = "/checkout" }));
        var page = store.SearchRequests(project, Filter(start, end));
        Measure(kind, records, "log_page_2", () => store.SearchRequests(project, Filter(start, end) with { Cursor = page.NextCursor }));
        Measure(kind, records, "request_detail", () => store.GetRequest(project, page.Items[17].Id));
    }

    private static RequestFilter Filter(DateTimeOffset from, DateTimeOffset to) => new(from, to, null, null, null, null, null, null, null, null, 50);

    private static void Measure(string kind, int records, string name, Func<object?> query)
    {
        for (var i = 0; i < 3; i++) query();
        var times = new double[20];
        for (var i = 0; i < times.Length; i++)
        {
            var started = Stopwatch.GetTimestamp();
            query();
            times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        Array.Sort(times);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"query store: {kind} records: {records} query: {name} median_ms: {times[times.Length / 2]:F2} p95_ms: {IngestLoad.Percentile(times, 0.95):F2}"));
    }
}
