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

    [Theory]
    [InlineData(MetricsAggregator.ExtraShards)]
    [InlineData(0)] // no shard beyond each series' first: every CPU shares it
    [InlineData(1)] // one series gets a second shard, the others share their first
    public async Task Record_ManyThreads_MinMaxAndSumsAreExactAcrossCores(int extraShards)
    {
        var aggregator = new MetricsAggregator(new FakeTimeProvider(), extraShards);
        const int Threads = 8, PerThread = 2_000;
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            // thread t records durations t*1000+1 .. t*1000+PerThread ms, request sizes t+1, response sizes 10*(t+1)
            for (var i = 1; i <= PerThread; i++)
            {
                aggregator.Record("/a", "GET", 200, null, (t * 1000) + i, t + 1, 10 * (t + 1), false);
                aggregator.Record("/b", "GET", 200, null, 1, 0, 0, false);
            }
        })));

        var all = aggregator.Flush()!.Series;
        Assert.Equal(Threads * PerThread, all.Single(s => s.RouteTemplate == "/b").Count);
        var series = all.Single(s => s.RouteTemplate == "/a");

        Assert.Equal(Threads * PerThread, series.Count);
        Assert.Equal(1, series.Duration.Min);
        Assert.Equal(((Threads - 1) * 1000) + PerThread, series.Duration.Max);
        var durationSum = Enumerable.Range(0, Threads).Sum(t => Enumerable.Range(1, PerThread).Sum(i => (double)((t * 1000) + i)));
        Assert.Equal(durationSum, series.Duration.Sum, 3);
        Assert.Equal(1, series.RequestSize.Min);
        Assert.Equal(Threads, series.RequestSize.Max);
        Assert.Equal(PerThread * Enumerable.Range(1, Threads).Sum(), series.RequestSize.Sum);
        Assert.Equal(10, series.ResponseSize.Min);
        Assert.Equal(10 * Threads, series.ResponseSize.Max);
        Assert.Equal(Threads * PerThread, series.RequestSize.Counts.Sum());
        Assert.Null(aggregator.Flush()); // everything was taken, from every shard
    }

    [Fact]
    public void Record_SameThreadAlternatingKeys_EachRequestCountsInItsOwnSeries()
    {
        // One thread, keys that differ in one part at a time (the thread's cache of recent series must not hand one
        // key's series to another): status 200 and 216 fall into the same cache slot, consumers differ only by id.
        var aggregator = new MetricsAggregator(new FakeTimeProvider());
        var other = new MetricsAggregator(new FakeTimeProvider());
        var route = "/orders/{id}";
        var sameText = new string(route.AsSpan()); // another instance with the same text: the same series
        var c1 = new ConsumerInfo { Identifier = "c1", Name = "One" };
        var c2 = new ConsumerInfo { Identifier = "c2", Name = "Two" };
        for (var i = 0; i < 10; i++)
        {
            aggregator.Record(route, "GET", 200, null, 1, 0, 0, false);
            aggregator.Record(route, "GET", 216, null, 1, 0, 0, false);
            aggregator.Record(route, "POST", 200, null, 1, 0, 0, false);
            aggregator.Record(route, "GET", 200, c1, 1, 0, 0, false);
            aggregator.Record(route, "GET", 200, c2, 1, 0, 0, false);
            aggregator.Record(sameText, "GET", 200, null, 1, 0, 0, false);
            other.Record(route, "GET", 200, null, 1, 0, 0, false); // another app on the same thread
        }

        var series = aggregator.Flush()!.Series.ToDictionary(s => (s.Method, s.Status, s.Consumer), s => s.Count);
        Assert.Equal(20, series[("GET", 200, null)]);
        Assert.Equal(10, series[("GET", 216, null)]);
        Assert.Equal(10, series[("POST", 200, null)]);
        Assert.Equal(10, series[("GET", 200, "c1")]);
        Assert.Equal(10, series[("GET", 200, "c2")]);
        Assert.Equal(5, series.Count);
        Assert.Equal(10, Assert.Single(other.Flush()!.Series).Count);
    }

    [Fact]
    public void Record_BeyondMaxSeries_FoldsIntoOverflowAndKeepsCountingKnownSeries()
    {
        var aggregator = new MetricsAggregator(new FakeTimeProvider());
        for (var i = 0; i < MetricsAggregator.MaxSeries; i++) aggregator.Record("/r" + i, "GET", 200, null, 1, 0, 0, false);
        aggregator.Record("/new-1", "GET", 200, null, 1, 0, 0, false);
        aggregator.Record("/new-2", "GET", 200, null, 1, 0, 0, false);
        aggregator.Record("/new-1", "GET", 200, null, 1, 0, 0, false);
        aggregator.Record("/r0", "GET", 200, null, 1, 0, 0, false);

        var series = aggregator.Flush()!.Series.ToDictionary(s => s.RouteTemplate, s => s.Count);
        Assert.Equal(3, series[MetricsAggregator.OverflowRoute]);
        Assert.Equal(2, series["/r0"]);
        Assert.False(series.ContainsKey("/new-1"));
        Assert.Equal(MetricsAggregator.MaxSeries + 1, series.Count);
    }

    [Fact]
    public void Record_AggregatorNoLongerUsed_IsNotKeptAliveByTheThreadsSeriesCache()
    {
        // A process that builds apps one after another (tests, hosts restarted in process) must not keep each old
        // aggregator, with all its series, alive through the per-thread cache of recent series.
        var gone = RecordOnThisThreadAndForget();
        for (var i = 0; i < 3 && gone.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        Assert.False(gone.IsAlive, "the thread's series cache kept the aggregator alive");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference RecordOnThisThreadAndForget()
    {
        var aggregator = new MetricsAggregator(new FakeTimeProvider());
        for (var status = 200; status < 216; status++) aggregator.Record("/orders/{id}", "GET", status, null, 1, 0, 0, false); // every cache slot
        return new WeakReference(aggregator);
    }

    [Fact]
    public async Task ShardBudget_TakenConcurrently_GivesExactlyItsSize()
    {
        // The bound on the metrics' memory: 8 threads racing for 1,000 shards get 1,000 between them, never more.
        var budget = new SeriesAccumulator.ShardBudget(1_000);
        var taken = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 500).Count(_ => budget.TryTake()))));
        Assert.Equal(1_000, taken.Sum());
        Assert.False(budget.TryTake());
        budget.Give(); // a shard another thread installed first is given back
        Assert.True(budget.TryTake());
        Assert.False(budget.TryTake());
    }
}
