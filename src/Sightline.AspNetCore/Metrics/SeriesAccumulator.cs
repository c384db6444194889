using System.Numerics;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Metrics;

/// <summary>
/// Lock-free counters of one series, split into shards by the CPU the recording thread runs on, so
/// that requests on different cores do not write the same cache lines (with one shared set, two
/// threads recording one series took 76–147 ns per record against 37–54 ns sharded).
/// Writers use <see cref="Interlocked"/> on their shard (a thread moved to another CPU mid-update is
/// still correct, merely sharing); the flusher takes each counter of each shard with
/// <see cref="Interlocked.Exchange(ref long, long)"/>, so an increment racing a flush lands in this
/// interval or the next — never lost, never counted twice (a slot sharing another's shard is taken
/// twice, the second time empty). A shard is created the first time its
/// CPU slot records this series, so a series seen on one core has one shard. Shards beyond a series'
/// first come from a budget shared by the aggregator's series (<see cref="ShardBudget"/>): once it is
/// spent, a slot without a shard shares the series' first one, as all requests did before.
/// </summary>
internal sealed class SeriesAccumulator(SeriesAccumulator.ShardBudget budget)
{
    private static readonly int s_latencyBuckets = HistogramBuckets.LatencyMs.Length + 1;
    private static readonly int s_sizeBuckets = HistogramBuckets.SizeBytes.Length + 1;

    // A shard is one long[]: 64 bytes of padding (so its counters never share a cache line with the object
    // allocated before it), the scalars, the three histograms, then 64 bytes of padding again.
    private const int Pad = 8;
    private const int CountAt = Pad, ErrorsAt = Pad + 1;
    private const int LatencySumAt = Pad + 2, LatencyMinAt = Pad + 3, LatencyMaxAt = Pad + 4;
    private const int RequestSumAt = Pad + 5, RequestMinAt = Pad + 6, RequestMaxAt = Pad + 7;
    private const int ResponseSumAt = Pad + 8, ResponseMinAt = Pad + 9, ResponseMaxAt = Pad + 10;
    private const int LatencyBucketsAt = Pad + 11;
    private static readonly int s_requestBucketsAt = LatencyBucketsAt + s_latencyBuckets;
    private static readonly int s_responseBucketsAt = s_requestBucketsAt + s_sizeBuckets;
    private static readonly int s_shardLength = s_responseBucketsAt + s_sizeBuckets + Pad;

    /// <summary>Shards per series: the CPU count rounded up to a power of two, at most 8 (about 0.8 KiB each).</summary>
    private static readonly int ShardCount = Math.Min(8, (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount)));

    private readonly long[]?[] _shards = new long[]?[ShardCount];

    public string? ConsumerName { get; set; }
    public string? ConsumerGroup { get; set; }

    public void Record(double durationMs, long requestSize, long responseSize, bool isError)
    {
        var shard = Shard();
        Interlocked.Increment(ref shard[CountAt]);
        if (isError) Interlocked.Increment(ref shard[ErrorsAt]);
        Interlocked.Increment(ref shard[LatencyBucketsAt + HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, durationMs)]);
        Interlocked.Increment(ref shard[s_requestBucketsAt + HistogramBuckets.IndexOf(HistogramBuckets.SizeBytes, requestSize)]);
        Interlocked.Increment(ref shard[s_responseBucketsAt + HistogramBuckets.IndexOf(HistogramBuckets.SizeBytes, responseSize)]);
        var micros = (long)(durationMs * 1000);
        Interlocked.Add(ref shard[LatencySumAt], micros);
        Interlocked.Add(ref shard[RequestSumAt], requestSize);
        Interlocked.Add(ref shard[ResponseSumAt], responseSize);
        Min(ref shard[LatencyMinAt], micros);
        Max(ref shard[LatencyMaxAt], micros);
        Min(ref shard[RequestMinAt], requestSize);
        Max(ref shard[RequestMaxAt], requestSize);
        Min(ref shard[ResponseMinAt], responseSize);
        Max(ref shard[ResponseMaxAt], responseSize);
    }

    private long[] Shard()
    {
        var slot = Thread.GetCurrentProcessorId() & (ShardCount - 1);
        return Volatile.Read(ref _shards[slot]) ?? CreateShard(slot);
    }

    // The series' first shard goes to slot 0 (whichever CPU created it); other slots get their own while the budget lasts.
    private long[] CreateShard(int slot)
    {
        var first = Volatile.Read(ref _shards[0]) ?? Install(0, NewShard());
        if (slot == 0) return first;
        if (!budget.TryTake()) return Install(slot, first);
        var own = NewShard();
        var installed = Install(slot, own);
        if (!ReferenceEquals(installed, own)) budget.Give(); // another thread installed this slot's shard first
        return installed;
    }

    // The slot's shard: this one, or the one another thread installed first.
    private long[] Install(int slot, long[] shard) => Interlocked.CompareExchange(ref _shards[slot], shard, null) ?? shard;

    private static long[] NewShard()
    {
        var shard = new long[s_shardLength];
        shard[LatencyMinAt] = shard[RequestMinAt] = shard[ResponseMinAt] = long.MaxValue;
        shard[LatencyMaxAt] = shard[RequestMaxAt] = shard[ResponseMaxAt] = long.MinValue;
        return shard;
    }

    /// <summary>How many shards beyond their first the series of one aggregator may create together (each about 0.8 KiB).</summary>
    internal sealed class ShardBudget(int shards)
    {
        private int _left = shards;

        public bool TryTake()
        {
            if (Volatile.Read(ref _left) <= 0) return false; // spent: no write to the shared counter
            if (Interlocked.Decrement(ref _left) >= 0) return true;
            Give();
            return false;
        }

        public void Give() => Interlocked.Increment(ref _left);
    }

    /// <summary>Takes the counts since the last flush from every shard; null when nothing happened.</summary>
    public MetricSeries? Take(SeriesKey key)
    {
        var count = TakeSum(CountAt);
        if (count == 0) return null;
        return new MetricSeries
        {
            RouteTemplate = key.Route,
            Method = key.Method,
            Status = key.Status,
            Consumer = key.Consumer,
            ConsumerName = ConsumerName,
            ConsumerGroup = ConsumerGroup,
            Count = count,
            ErrorCount = TakeSum(ErrorsAt),
            Duration = TakeHistogram(LatencyBucketsAt, s_latencyBuckets, LatencySumAt, LatencyMinAt, LatencyMaxAt, 1000.0),
            RequestSize = TakeHistogram(s_requestBucketsAt, s_sizeBuckets, RequestSumAt, RequestMinAt, RequestMaxAt, 1.0),
            ResponseSize = TakeHistogram(s_responseBucketsAt, s_sizeBuckets, ResponseSumAt, ResponseMinAt, ResponseMaxAt, 1.0),
        };
    }

    private long TakeSum(int at)
    {
        long total = 0;
        foreach (var shard in _shards)
            if (shard is not null) total += Interlocked.Exchange(ref shard[at], 0);
        return total;
    }

    private Histogram TakeHistogram(int bucketsAt, int buckets, int sumAt, int minAt, int maxAt, double divisor)
    {
        var counts = new long[buckets];
        long min = long.MaxValue, max = long.MinValue;
        foreach (var shard in _shards)
        {
            if (shard is null) continue;
            for (var i = 0; i < buckets; i++) counts[i] += Interlocked.Exchange(ref shard[bucketsAt + i], 0);
            min = Math.Min(min, Interlocked.Exchange(ref shard[minAt], long.MaxValue));
            max = Math.Max(max, Interlocked.Exchange(ref shard[maxAt], long.MinValue));
        }
        return new Histogram
        {
            Counts = counts,
            Sum = TakeSum(sumAt) / divisor,
            Min = min == long.MaxValue ? 0 : min / divisor,
            Max = max == long.MinValue ? 0 : max / divisor,
        };
    }

    private static void Min(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value < current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }

    private static void Max(ref long target, long value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current) return;
            current = seen;
        }
    }
}
