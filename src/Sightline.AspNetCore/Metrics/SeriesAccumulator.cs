using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Metrics;

/// <summary>
/// Lock-free counters of one series. Writers use <see cref="Interlocked"/>; the flusher takes each
/// counter with <see cref="Interlocked.Exchange(ref long, long)"/>, so an increment racing a flush
/// lands in this interval or the next — never lost, never counted twice.
/// </summary>
internal sealed class SeriesAccumulator
{
    private static readonly int s_latencyBuckets = HistogramBuckets.LatencyMs.Length + 1;
    private static readonly int s_sizeBuckets = HistogramBuckets.SizeBytes.Length + 1;

    private readonly long[] _latency = new long[s_latencyBuckets];
    private readonly long[] _requestSize = new long[s_sizeBuckets];
    private readonly long[] _responseSize = new long[s_sizeBuckets];
    private long _count, _errors, _latencySumMicros, _requestSizeSum, _responseSizeSum;
    private long _latencyMinMicros = long.MaxValue, _latencyMaxMicros = long.MinValue;
    private long _requestMin = long.MaxValue, _requestMax = long.MinValue, _responseMin = long.MaxValue, _responseMax = long.MinValue;

    public string? ConsumerName { get; set; }
    public string? ConsumerGroup { get; set; }

    public void Record(double durationMs, long requestSize, long responseSize, bool isError)
    {
        Interlocked.Increment(ref _count);
        if (isError) Interlocked.Increment(ref _errors);
        Interlocked.Increment(ref _latency[HistogramBuckets.IndexOf(HistogramBuckets.LatencyMs, durationMs)]);
        Interlocked.Increment(ref _requestSize[HistogramBuckets.IndexOf(HistogramBuckets.SizeBytes, requestSize)]);
        Interlocked.Increment(ref _responseSize[HistogramBuckets.IndexOf(HistogramBuckets.SizeBytes, responseSize)]);
        var micros = (long)(durationMs * 1000);
        Interlocked.Add(ref _latencySumMicros, micros);
        Interlocked.Add(ref _requestSizeSum, requestSize);
        Interlocked.Add(ref _responseSizeSum, responseSize);
        Min(ref _latencyMinMicros, micros);
        Max(ref _latencyMaxMicros, micros);
        Min(ref _requestMin, requestSize);
        Max(ref _requestMax, requestSize);
        Min(ref _responseMin, responseSize);
        Max(ref _responseMax, responseSize);
    }

    /// <summary>Takes the counts since the last flush; null when nothing happened.</summary>
    public MetricSeries? Take(SeriesKey key)
    {
        var count = Interlocked.Exchange(ref _count, 0);
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
            ErrorCount = Interlocked.Exchange(ref _errors, 0),
            Duration = TakeHistogram(_latency, ref _latencySumMicros, ref _latencyMinMicros, ref _latencyMaxMicros, 1000.0),
            RequestSize = TakeHistogram(_requestSize, ref _requestSizeSum, ref _requestMin, ref _requestMax, 1.0),
            ResponseSize = TakeHistogram(_responseSize, ref _responseSizeSum, ref _responseMin, ref _responseMax, 1.0),
        };
    }

    private static Histogram TakeHistogram(long[] buckets, ref long sum, ref long min, ref long max, double divisor)
    {
        var counts = new long[buckets.Length];
        for (var i = 0; i < buckets.Length; i++) counts[i] = Interlocked.Exchange(ref buckets[i], 0);
        var mn = Interlocked.Exchange(ref min, long.MaxValue);
        var mx = Interlocked.Exchange(ref max, long.MinValue);
        return new Histogram
        {
            Counts = counts,
            Sum = Interlocked.Exchange(ref sum, 0) / divisor,
            Min = mn == long.MaxValue ? 0 : mn / divisor,
            Max = mx == long.MinValue ? 0 : mx / divisor,
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
