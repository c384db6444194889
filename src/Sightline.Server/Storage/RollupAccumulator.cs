using Sightline.Protocol.Wire;
using Sightline.Server.Query;

namespace Sightline.Server.Storage;

/// <summary>Sums rollup rows (counts and latency histograms) and estimates quantiles from the merged histogram.</summary>
internal sealed class RollupAccumulator
{
    private static readonly int s_latencyLength = HistogramBuckets.LatencyMs.Length + 1;

    public long Count { get; private set; }
    public long Errors { get; private set; }
    public double Max { get; private set; }
    public double Bytes { get; private set; }
    public long[] Counts { get; } = new long[s_latencyLength];

    public void Add(RollupRow row)
    {
        Count += row.Count;
        Errors += row.Errors;
        Max = Math.Max(Max, row.DurationMax);
        Bytes += row.ResponseBytes;
        HistogramText.AddInto(Counts, row.DurationCounts);
    }

    public double Quantile(double q) => Count == 0 ? 0 : Math.Round(HistogramBuckets.Quantile(HistogramBuckets.LatencyMs, Counts, q, 0, Max), 2);

    public EndpointStats ToStats(string method, string route, bool inventory)
        => new(method, route, Count, Errors, Count == 0 ? 0 : (double)Errors / Count, Quantile(0.5), Quantile(0.95), Quantile(0.99),
            Count == 0 ? 0 : Bytes / Count, inventory);
}
