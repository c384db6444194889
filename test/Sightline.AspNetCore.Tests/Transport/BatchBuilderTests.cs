using System.IO.Compression;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

public sealed class BatchBuilderTests
{
    [Fact]
    public void Finish_TwoBatches_EachIsAValidIngestBatch()
    {
        using var builder = new BatchBuilder(new ServiceInfo { Name = "svc", Instance = "i" });
        for (var round = 0; round < 2; round++)
        {
            var id = Guid.NewGuid();
            builder.Add(new RequestRecord { Id = id, Method = "GET", Path = "/a" });
            builder.Add(new MetricsSnapshot { Id = Guid.NewGuid(), Series = [new MetricSeries { Method = "GET", Count = 1 }] });
            builder.Add(new Heartbeat { Id = Guid.NewGuid() });

            Assert.Equal(3, builder.Count);
            var bytes = builder.Finish().ToArray();

            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            var batch = JsonSerializer.Deserialize(gzip, WireJsonContext.Default.IngestBatch)!;
            Assert.Equal(id, Assert.Single(batch.Records).Id);
            Assert.Single(batch.Metrics);
            Assert.Single(batch.Heartbeats);
            Assert.Equal("svc", batch.Service!.Name);
            Assert.Equal(0, builder.Count);
        }
    }

    // Sealed segments of incoming records, as request threads make them: a record per path, two per segment.
    private static List<RecordSegment> Segments(params string[] paths)
    {
        var queue = new TelemetryQueue(Options.Create(new SightlineOptions { ApiKey = "k", BatchMaxItems = 8 }), new TransportMetrics());
        foreach (var path in paths)
            Assert.True(queue.TryEnqueue(PooledRecords.Incoming($"{{\"id\":\"{Guid.NewGuid()}\",\"method\":\"GET\",\"path\":\"{path}\"}}")));
        queue.SealOpenSegments();
        var segments = new List<RecordSegment>();
        while (queue.TryDequeue(out var item)) segments.Add(Assert.IsType<RecordSegment>(item));
        return segments;
    }

    private static IngestBatch Decode(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        return JsonSerializer.Deserialize(gzip, WireJsonContext.Default.IngestBatch)!;
    }

    // The JSON's length, and the length its last gzip member's trailer gives (ISIZE): the whole length when there is one member.
    private static (int Json, int LastMember) Lengths(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var json = new MemoryStream();
        gzip.CopyTo(json);
        return ((int)json.Length, BitConverter.ToInt32(bytes, bytes.Length - 4));
    }

    [Fact]
    public void Finish_SegmentsBetweenOwnRecords_OneBatchOfSeveralMembersWithEveryRecord()
    {
        using var builder = new BatchBuilder(new ServiceInfo { Name = "svc", Instance = "i" });
        var own = Guid.NewGuid();
        builder.Add(new RequestRecord { Id = own, Method = "GET", Path = "/own" });
        foreach (var segment in Segments("/s1", "/s2", "/s3", "/s4", "/s5")) builder.Add(segment);
        Assert.Equal(6, builder.Count);

        var bytes = builder.Finish().ToArray(); // no metrics: the tail is the precompressed member
        var batch = Decode(bytes);
        Assert.Equal(["/own", "/s1", "/s2", "/s3", "/s4", "/s5"], batch.Records.Select(r => r.Path).Order());
        Assert.Equal(own, batch.Records.Single(r => r.Path == "/own").Id);
        Assert.Empty(batch.Metrics);
        Assert.Equal("svc", batch.Service!.Name);
        // Several members: the last one is the usual tail alone.
        Assert.Equal("],\"metrics\":[],\"heartbeats\":[],\"securityEvents\":[]}".Length, Lengths(bytes).LastMember);
    }

    [Fact]
    public void Finish_OnlySegmentsWithMetrics_TheTailIsWrittenAfterThem()
    {
        using var builder = new BatchBuilder(new ServiceInfo { Name = "svc", Instance = "i" });
        for (var round = 0; round < 2; round++) // the builder is reused: the second batch starts clean
        {
            foreach (var segment in Segments($"/a{round}", $"/b{round}", $"/c{round}")) builder.Add(segment);
            builder.Add(new MetricsSnapshot { Id = Guid.NewGuid(), Series = [new MetricSeries { Method = "GET", Count = 1 }] });
            builder.Add(new Heartbeat { Id = Guid.NewGuid() });

            var bytes = builder.Finish().ToArray();
            var batch = Decode(bytes);
            var (json, lastMember) = Lengths(bytes);
            Assert.InRange(lastMember, 1, json - 1); // the tail, with metrics, is a member of its own
            Assert.Equal([$"/a{round}", $"/b{round}", $"/c{round}"], batch.Records.Select(r => r.Path).Order());
            Assert.Single(batch.Metrics);
            Assert.Single(batch.Heartbeats);
        }
    }
}
