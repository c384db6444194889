using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

public sealed class SerializedRecordsTests
{
    private static byte[] Json(int n, int padding = 0)
        => Encoding.UTF8.GetBytes($"{{\"id\":\"{Guid.NewGuid()}\",\"path\":\"/r/{n}\",\"query\":\"{new string('x', padding)}\"}}");

    private static List<byte[]> ReadAll(SerializedRecords records)
    {
        var read = new List<byte[]>();
        while (records.TryRead(out var json)) read.Add(json.ToArray());
        return read;
    }

    [Fact]
    public void TryRead_ReturnsEveryRecordOnceInOrder_AcrossSegmentsOfAnySize()
    {
        var records = new SerializedRecords(10_000, 1L << 30);
        var written = new List<byte[]>();
        var random = new Random(7);
        var read = new List<byte[]>();
        for (var round = 0; round < 20; round++)
        {
            // Sizes from a few bytes past the 64 KiB initial segment, so segments grow, are recycled and reused.
            for (var i = 0; i < random.Next(1, 60); i++)
            {
                var json = Json(written.Count, random.Next(0, round % 5 == 0 ? 100_000 : 300));
                Assert.True(records.TryAdd(json));
                written.Add(json);
            }
            // Reading part of a segment, then adding more: the rest of the taken segment comes first.
            for (var i = 0; i < random.Next(0, 40) && records.TryRead(out var json); i++) read.Add(json.ToArray());
        }
        read.AddRange(ReadAll(records));

        Assert.Equal(written.Count, read.Count);
        for (var i = 0; i < written.Count; i++) Assert.Equal(written[i], read[i]);
        Assert.Equal(0, records.Count);
        Assert.False(records.TryRead(out _));
    }

    [Fact]
    public void TryAdd_RecordBound_CountsRecordsTakenButNotYetRead()
    {
        var records = new SerializedRecords(4, 1L << 30);
        for (var i = 0; i < 4; i++) Assert.True(records.TryAdd(Json(i)));
        Assert.False(records.TryAdd(Json(4)));
        Assert.Equal(4, records.Count);

        Assert.True(records.TryRead(out _)); // takes the segment of 4: 3 unread still count
        Assert.Equal(3, records.Count);
        Assert.True(records.TryAdd(Json(5)));
        Assert.False(records.TryAdd(Json(6)));

        Assert.Equal(4, ReadAll(records).Count); // 3 left in the taken segment + 1 new
        Assert.Equal(0, records.Count);
        for (var i = 0; i < 4; i++) Assert.True(records.TryAdd(Json(10 + i)));
    }

    [Fact]
    public void TryAdd_ByteBound_RefusesWhatDoesNotFitAndKeepsWhatDid()
    {
        var small = Json(1);
        var records = new SerializedRecords(1000, (2 * small.Length) + 10);
        Assert.True(records.TryAdd(small));
        Assert.True(records.TryAdd(Json(2)));
        Assert.False(records.TryAdd(Json(3)));
        Assert.True(records.TryAdd("{}"u8)); // a smaller one still fits
        var read = ReadAll(records);
        Assert.Equal(3, read.Count);
        Assert.Equal(small, read[0]);
    }

    [Fact]
    public async Task ConcurrentWritersAndAReader_EveryRecordArrivesIntactExactlyOnce()
    {
        var records = new SerializedRecords(1_000_000, 1L << 30);
        var read = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var reader = Task.Run(() =>
        {
            while (true)
            {
                var stopping = stop.IsCancellationRequested;
                while (records.TryRead(out var json)) read.Add(Encoding.UTF8.GetString(json));
                if (stopping) return;
                Thread.Yield();
            }
        });
        var written = await Task.WhenAll(Enumerable.Range(0, 6).Select(t => Task.Run(() =>
        {
            var mine = new List<string>();
            for (var n = 0; n < 5000; n++)
            {
                var json = $"{{\"t\":{t},\"n\":{n},\"pad\":\"{new string((char)('a' + t), n % 97)}\"}}";
                Assert.True(records.TryAdd(Encoding.UTF8.GetBytes(json)));
                mine.Add(json);
            }
            return mine;
        })));
        await stop.CancelAsync();
        await reader;

        Assert.Equal(written.SelectMany(w => w).Order(StringComparer.Ordinal), read.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TelemetryQueue_FullOfRecords_DropsAndCountsTheRest()
    {
        using var metrics = new TransportMetrics();
        using var counters = new CounterListener(metrics);
        var queue = new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k", QueueCapacity = 3 }), metrics);
        var accepted = Enumerable.Range(0, 5).Count(i => queue.TryEnqueueRecord(Json(i)));

        Assert.Equal(3, accepted);
        Assert.Equal(3, queue.Count);
        Assert.Equal(3, counters["items.queued"]);
        Assert.Equal(2, counters["items.dropped"]);
    }

    [Fact]
    public void BatchBuilder_SerializedRecordsBetweenObjects_FormOneValidBatch()
    {
        var queue = new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k" }), new TransportMetrics());
        var ids = Enumerable.Range(0, 3).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids) Assert.True(queue.TryEnqueueRecord(Encoding.UTF8.GetBytes($"{{\"id\":\"{id}\",\"method\":\"GET\",\"path\":\"/s\",\"status\":200}}")));
        var standalone = Guid.NewGuid();
        Assert.True(queue.TryEnqueue(new RequestRecord { Id = standalone, Method = "GET", Path = "/o" }));

        using var builder = new BatchBuilder(new ServiceInfo { Name = "svc", Instance = "i" });
        while (queue.TryDequeue(out var item)) builder.Add(item);
        while (queue.TryDequeueRecord(out var json)) builder.AddSerialized(json);
        Assert.Equal(4, builder.Count);

        using var gzip = new GZipStream(new MemoryStream(builder.Finish().ToArray()), CompressionMode.Decompress);
        var batch = JsonSerializer.Deserialize(gzip, WireJsonContext.Default.IngestBatch)!;
        Assert.Equal([standalone, .. ids], batch.Records.Select(r => r.Id));
        Assert.All(batch.Records.Skip(1), r => Assert.Equal(200, r.Status));
    }
}
