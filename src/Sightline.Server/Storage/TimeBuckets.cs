using Sightline.Server.Query;

namespace Sightline.Server.Storage;

/// <summary>Fixed-width time buckets over a range, aligned to the bucket size from the Unix epoch; shared by both stores so their series line up exactly.</summary>
internal readonly struct TimeBuckets
{
    public TimeBuckets(DateTimeOffset from, DateTimeOffset to, TimeSpan size)
    {
        SizeMs = Math.Max(60_000, (long)size.TotalMilliseconds / 60_000 * 60_000);
        StartMs = from.ToUnixTimeMilliseconds() / SizeMs * SizeMs;
        Count = (int)Math.Clamp((to.ToUnixTimeMilliseconds() - StartMs + SizeMs - 1) / SizeMs, 0, 5000);
    }

    public long SizeMs { get; }

    /// <summary>
    /// The end (exclusive, Unix ms) of the minutes that start before <paramref name="to"/>: a range over raw timestamps
    /// [from floored to the minute, this) holds exactly what the per-minute rollups with minute in [from, to) hold.
    /// </summary>
    public static long MinuteEnd(DateTimeOffset to) => (to.ToUnixTimeMilliseconds() + 59_999) / 60_000 * 60_000;

    public long StartMs { get; }

    public int Count { get; }

    public int? IndexOf(long ms)
    {
        var i = (ms - StartMs) / SizeMs;
        return ms >= StartMs && i < Count ? (int)i : null;
    }

    public DateTimeOffset StartOf(int index) => DateTimeOffset.FromUnixTimeMilliseconds(StartMs + index * SizeMs);

    public RollupAccumulator[] NewAccumulators()
    {
        var result = new RollupAccumulator[Count];
        for (var i = 0; i < result.Length; i++) result[i] = new RollupAccumulator();
        return result;
    }

    public List<TimePoint> ToSeries(RollupAccumulator[] accumulators)
    {
        var result = new List<TimePoint>(Count);
        for (var i = 0; i < Count; i++)
        {
            var a = accumulators[i];
            result.Add(new TimePoint(StartOf(i), a.Count, a.Errors, a.Quantile(0.5), a.Quantile(0.95), a.Quantile(0.99)));
        }
        return result;
    }

    public List<TimePoint> CountSeries(long[] counts)
    {
        var result = new List<TimePoint>(Count);
        for (var i = 0; i < Count; i++) result.Add(new TimePoint(StartOf(i), counts[i], counts[i], 0, 0, 0));
        return result;
    }
}
