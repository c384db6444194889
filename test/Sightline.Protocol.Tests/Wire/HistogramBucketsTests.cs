using Sightline.Protocol.Wire;

namespace Sightline.Protocol.Tests.Wire;

public sealed class HistogramBucketsTests
{
    [Theory]
    [InlineData(0.1, 0)]
    [InlineData(0.5, 0)]
    [InlineData(0.51, 1)]
    [InlineData(1, 1)]
    [InlineData(60000, 32)]
    [InlineData(60001, 33)]
    public void IndexOf_PlacesValueInInclusiveUpperBucket(double value, int expected)
    {
        Assert.Equal(expected, HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, value));
    }

    [Fact]
    public void Quantile_UniformValues_EstimatesWithinBucket()
    {
        var bounds = HistogramBuckets.LatencyMs;
        var counts = new long[bounds.Length + 1];
        for (var v = 1; v <= 100; v++) counts[HistogramBuckets.IndexOf(bounds, v)]++;

        var p50 = HistogramBuckets.Quantile(bounds, counts, 0.5, 1, 100);
        var p99 = HistogramBuckets.Quantile(bounds, counts, 0.99, 1, 100);

        Assert.InRange(p50, 40, 50);
        Assert.InRange(p99, 75, 100);
        Assert.Equal(0, HistogramBuckets.Quantile(bounds, new long[bounds.Length + 1], 0.5, 0, 0));
    }

    [Fact]
    public void Batch_RoundTripsThroughSourceGeneratedContext()
    {
        var id = Guid.NewGuid();
        var batch = new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders-api", Instance = "i-1" },
            Records = [new RequestRecord { Id = id, Method = "GET", RouteTemplate = "/users/{id}", Path = "/users/7", Status = 200 }],
        };

        var json = System.Text.Json.JsonSerializer.Serialize(batch, WireJsonContext.Default.IngestBatch);
        var back = System.Text.Json.JsonSerializer.Deserialize(json, WireJsonContext.Default.IngestBatch)!;

        Assert.Contains("\"routeTemplate\":\"/users/{id}\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"query\"", json, StringComparison.Ordinal);
        Assert.Equal(id, back.Records[0].Id);
        Assert.Equal("orders-api", back.Service!.Name);
    }
}
