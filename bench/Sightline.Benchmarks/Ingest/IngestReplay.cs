using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using Sightline.Protocol.Wire;
using Sightline.Server.Ingest;

namespace Sightline.Benchmarks.Ingest;

/// <summary>
/// The server's ingest path without HTTP, on one thread: for each pre-built gzip batch of 500 records,
/// inflate, parse, validate and <c>StoreAsync</c> into a fresh store (which serializes each record for
/// its <c>body</c> column, then writes). Prints CPU µs per record of
/// each phase (thread CPU time, so other processes on a shared machine do not count) and the time
/// spent inside StoreAsync, which for SQLite is the single writer's serial part. PostgreSQL's store
/// continues on pool threads, so for it only the process CPU (the whole .NET process, GC included)
/// and the wall time are meaningful.
/// Usage: ... Sightline.Benchmarks.dll replay &lt;sqlite|postgres&gt; &lt;none|2k&gt; [records=100000]
/// </summary>
internal static class IngestReplay
{
    public static async Task RunAsync(string storeKind, bool bodies, int records)
    {
        using var target = BenchTarget.Create(storeKind);
        using var store = target.OpenStore();
        var projectId = store.EnsureProject("default").Id;
        var random = new Random(42);
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var batches = new List<byte[]>();
        for (var made = 0; made < records + 10 * 500; made += 500)
            batches.Add(BenchRecords.Gzip(BenchRecords.Batch(random, start, made, records + 10 * 500, bodies, 500, batches.Count)));
        long inflate = 0, parse = 0, validate = 0, storeTicks = 0;
        var storeWall = TimeSpan.Zero;
        var processCpu = TimeSpan.Zero;
        var bytes = 0L;
        for (var i = 0; i < batches.Count; i++)
        {
            var measured = i >= 10; // the first 10 batches warm the JIT and the store
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var t0 = ThreadCpu.Now();
            using var inflated = new MemoryStream();
            using (var gzip = new GZipStream(new MemoryStream(batches[i]), CompressionMode.Decompress)) gzip.CopyTo(inflated);
            var json = new ReadOnlyMemory<byte>(inflated.GetBuffer(), 0, (int)inflated.Length);
            var t1 = ThreadCpu.Now();
            var batch = WireJson.DeserializeBatch(json)!; // as the server reads it
            var t2 = ThreadCpu.Now();
            IngestValidator.Filter(batch);
            var t4 = ThreadCpu.Now();
            var wall = Stopwatch.StartNew();
            // The store serializes each record for its body column inside StoreAsync, before the writer.
            await store.StoreAsync(projectId, batch, CancellationToken.None);
            var t5 = ThreadCpu.Now();
            if (!measured) continue;
            processCpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            storeWall += wall.Elapsed;
            bytes += json.Length;
            inflate += t1 - t0;
            parse += t2 - t1;
            validate += t4 - t2;
            storeTicks += t5 - t4;
        }
        double PerRecord(long ns) => ns / 1000.0 / records;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replay store: {storeKind} bodies: {(bodies ? "2KiB" : "none")} records: {records} json_bytes_per_record: {bytes / records} " +
            $"cpu_us_per_record: inflate {PerRecord(inflate):F2} parse {PerRecord(parse):F2} validate {PerRecord(validate):F2} " +
            $"store {(storeKind == "sqlite" ? PerRecord(storeTicks).ToString("F2", CultureInfo.InvariantCulture) : "n/a")} total {(storeKind == "sqlite" ? PerRecord(inflate + parse + validate + storeTicks).ToString("F2", CultureInfo.InvariantCulture) : "n/a")}; " +
            $"process_cpu_us_per_record {processCpu.TotalMicroseconds / records:F2} store_wall_us_per_record {storeWall.TotalMicroseconds / records:F2}"));
    }

    /// <summary>CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), in ns. The awaits above complete on this thread for SQLite (the writer runs inline).</summary>
    private static class ThreadCpu
    {
        [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out Timespec value);

        private struct Timespec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        public static long Now()
        {
            ClockGetTime(3, out var t); // CLOCK_THREAD_CPUTIME_ID
            return t.Seconds * 1_000_000_000 + t.Nanoseconds;
        }
    }
}
