using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;

namespace Sightline.Benchmarks.Ingest;

/// <summary>
/// Loopback ingest benchmark: a real Sightline server (Kestrel on 127.0.0.1, SQLite or PostgreSQL)
/// and <c>concurrency</c> senders posting pre-built gzip batches of <c>batch</c> records (as the SDK
/// does) until <c>records</c> are stored. Prints records/s sustained and the p50/p99 of one POST.
/// </summary>
internal static class IngestLoad
{
    public static async Task RunAsync(string store, bool bodies, int records, int batchSize, int concurrency)
    {
        using var target = BenchTarget.Create(store);
        var port = FreePort();
        var (app, firstRun) = SightlineServer.Build(target.ServerArgs(port), b => b.Logging.ClearProviders());
        await app.StartAsync();
        try
        {
            var key = firstRun.IngestKey!;
            var random = new Random(42);
            var now = DateTimeOffset.UtcNow;
            var start = now.AddMinutes(-10);
            var sample = BenchRecords.Record(random, now, bodies);
            var batches = new List<byte[]>();
            var warmup = new List<byte[]>();
            // Warm-up: 40 batches, so tiered JIT compilation is mostly done before the clock starts.
            for (var i = 0; i < 40; i++) warmup.Add(BenchRecords.Gzip(BenchRecords.Batch(random, start.AddMinutes(-1), i * batchSize, 40 * batchSize, bodies, batchSize, i)));
            for (var made = 0; made < records; made += batchSize)
                batches.Add(BenchRecords.Gzip(BenchRecords.Batch(random, start, made, records, bodies, Math.Min(batchSize, records - made), batches.Count)));
            var gzipBytes = batches.Sum(b => (long)b.Length);

            using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency * 2 }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            foreach (var w in warmup) await PostAsync(client, key, w);

            var latencies = new double[batches.Count];
            var next = -1;
            var rejected = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                {
                    var started = Stopwatch.GetTimestamp();
                    HttpStatusCode status;
                    while ((status = await PostAsync(client, key, batches[i])) == HttpStatusCode.TooManyRequests)
                    {
                        Interlocked.Increment(ref rejected);
                        await Task.Delay(50);
                    }
                    if (status != HttpStatusCode.OK) throw new InvalidOperationException($"ingest answered {(int)status}");
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }
            })));
            clock.Stop();
            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            Array.Sort(latencies);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"ingest store: {store} bodies: {(bodies ? "2KiB" : "none")} record_json_bytes: {BenchRecords.JsonSize(sample)} records: {records} batch: {batchSize} concurrency: {concurrency} " +
                $"records_per_s: {records / clock.Elapsed.TotalSeconds:F0} seconds: {clock.Elapsed.TotalSeconds:F1} post_p50_ms: {Percentile(latencies, 0.50):F1} post_p99_ms: {Percentile(latencies, 0.99):F1} " +
                $"gzip_bytes_per_record: {gzipBytes / records} http_429: {rejected} process_cpu_s: {cpuSeconds:F1}"));
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string key, byte[] gzip)
    {
        var content = new ByteArrayContent(gzip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath) { Content = content };
        request.Headers.Add(WireConstants.ApiKeyHeader, key);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    internal static double Percentile(double[] sorted, double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
