using Microsoft.Extensions.Time.Testing;
using Sightline.AspNetCore.Metrics;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Metrics;

public sealed class MetricsAggregatorTests
{
    [Fact]
    public async Task Record_ParallelWithRacingFlush_LosesNoIncrement()
    {
        var aggregator = new MetricsAggregator(new FakeTimeProvider());
        var consumers = new[] { null, new ConsumerInfo { Identifier = "c1" }, new ConsumerInfo { Identifier = "c2" } };
        const int Threads = 8, PerThread = 50_000;
        var snapshots = new List<MetricsSnapshot>();
        using var stop = new CancellationTokenSource();

        var flusher = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
                if (aggregator.Flush() is { } s) lock (snapshots) snapshots.Add(s);
        });
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < PerThread; i++)
                aggregator.Record("/users/{id}", "GET", i % 10 == 0 ? 500 : 200, consumers[i % 3], i % 300, 100, 2000, i % 10 == 0);
        })));
        await stop.CancelAsync();
        await flusher;
        if (aggregator.Flush() is { } last) snapshots.Add(last);

        var series = snapshots.SelectMany(s => s.Series).ToList();
        Assert.Equal(Threads * PerThread, series.Sum(s => s.Count));
        Assert.Equal(Threads * PerThread / 10, series.Sum(s => s.ErrorCount));
        Assert.Equal(Threads * PerThread, series.Sum(s => s.Duration.Counts.Sum()));
        Assert.Equal(Threads * PerThread, series.Sum(s => s.ResponseSize.Counts.Sum()));
        Assert.Equal(Threads * Enumerable.Range(0, PerThread).Count(i => i % 3 == 1), series.Where(s => s.Consumer == "c1").Sum(s => s.Count));
    }

    [Fact]
    public void Flush_ComputesHistogramAndPeriod()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var aggregator = new MetricsAggregator(time);
        for (var ms = 1; ms <= 100; ms++) aggregator.Record("/a", "GET", 200, null, ms, 10, 1000, false);
        time.Advance(TimeSpan.FromSeconds(60));

        var snapshot = aggregator.Flush()!;

        var series = Assert.Single(snapshot.Series);
        Assert.Equal(100, series.Count);
        Assert.Equal(1, series.Duration.Min);
        Assert.Equal(100, series.Duration.Max);
        Assert.Equal(5050, series.Duration.Sum, 3);
        var p50 = HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, series.Duration.Counts, 0.5, series.Duration.Min, series.Duration.Max);
        Assert.InRange(p50, 40, 60);
        Assert.Equal(TimeSpan.FromSeconds(60), snapshot.PeriodEnd - snapshot.PeriodStart);
        Assert.Null(aggregator.Flush());
    }
}
