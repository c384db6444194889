using System.IO.Compression;
using System.Text.Json;
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
}
