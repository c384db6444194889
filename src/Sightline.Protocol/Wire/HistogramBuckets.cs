namespace Sightline.Protocol.Wire;

/// <summary>The histogram bucket bounds of wire schema v1 (inclusive upper bounds).</summary>
public static class HistogramBuckets
{
    /// <summary>Latency bounds in milliseconds.</summary>
    public static ReadOnlySpan<double> LatencyMs =>
    [
        0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 25, 30, 40, 50, 75, 100, 150, 200, 250, 300, 400, 500,
        750, 1000, 1500, 2000, 3000, 5000, 7500, 10000, 20000, 30000, 60000,
    ];

    /// <summary>Payload size bounds in bytes.</summary>
    public static ReadOnlySpan<double> SizeBytes =>
    [
        0, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 262144, 524288,
        1048576, 4194304, 16777216, 67108864,
    ];

    /// <summary>Index of the bucket that <paramref name="value"/> falls in (binary search over <paramref name="bounds"/>).</summary>
    public static int IndexOf(ReadOnlySpan<double> bounds, double value)
    {
        int lo = 0, hi = bounds.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value <= bounds[mid]) hi = mid; else lo = mid + 1;
        }
        return lo;
    }

    /// <summary>
    /// Estimates the <paramref name="quantile"/> (0..1) of a histogram by linear interpolation
    /// inside the bucket that holds it, clamped to the observed min and max.
    /// Returns 0 for an empty histogram.
    /// </summary>
    public static double Quantile(ReadOnlySpan<double> bounds, ReadOnlySpan<long> counts, double quantile, double min, double max)
    {
        long total = 0;
        foreach (var c in counts) total += c;
        if (total == 0) return 0;
        var rank = quantile * total;
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0) continue;
            if (seen + counts[i] >= rank)
            {
                var lower = i == 0 ? Math.Min(min, bounds[0]) : bounds[i - 1];
                var upper = i < bounds.Length ? bounds[i] : max;
                lower = Math.Max(lower, min);
                upper = Math.Min(upper, max);
                if (upper < lower) upper = lower;
                var fraction = (rank - seen) / counts[i];
                return lower + (upper - lower) * Math.Clamp(fraction, 0, 1);
            }
            seen += counts[i];
        }
        return max;
    }
}
