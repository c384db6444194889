namespace Sightline.Protocol.Wire;

/// <summary>
/// Aggregated metrics for one flush interval, computed in process for 100% of traffic
/// (records may be sampled; metrics never are).
/// </summary>
public sealed class MetricsSnapshot
{
    /// <summary>Unique id; the server applies a snapshot once per id, so retries never double-count.</summary>
    public Guid Id { get; set; }

    /// <summary>Interval start (UTC).</summary>
    public DateTimeOffset PeriodStart { get; set; }

    /// <summary>Interval end (UTC).</summary>
    public DateTimeOffset PeriodEnd { get; set; }

    /// <summary>One entry per (route, method, status, consumer) seen in the interval.</summary>
    public List<MetricSeries> Series { get; set; } = [];
}

/// <summary>Counters and histograms for one (route template, method, status, consumer).</summary>
public sealed class MetricSeries
{
    /// <summary>Route template.</summary>
    public string RouteTemplate { get; set; } = "";

    /// <summary>HTTP method.</summary>
    public string Method { get; set; } = "";

    /// <summary>Status code.</summary>
    public int Status { get; set; }

    /// <summary>Consumer identifier, or null for anonymous traffic.</summary>
    public string? Consumer { get; set; }

    /// <summary>Consumer display name, when known.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>Consumer group, when known.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Number of requests.</summary>
    public long Count { get; set; }

    /// <summary>Requests that ended with an unhandled exception or a 5xx status.</summary>
    public long ErrorCount { get; set; }

    /// <summary>Response time in milliseconds over <see cref="HistogramBuckets.LatencyMs"/>.</summary>
    public Histogram Duration { get; set; } = new();

    /// <summary>Request size in bytes over <see cref="HistogramBuckets.SizeBytes"/>.</summary>
    public Histogram RequestSize { get; set; } = new();

    /// <summary>Response size in bytes over <see cref="HistogramBuckets.SizeBytes"/>.</summary>
    public Histogram ResponseSize { get; set; } = new();
}

/// <summary>
/// A fixed-bucket histogram. <see cref="Counts"/> has one more entry than the bucket bounds:
/// <c>Counts[i]</c> counts values ≤ <c>bounds[i]</c> (and above the previous bound), the last
/// entry counts values above the last bound. Fixed bounds let the server add histograms.
/// </summary>
public sealed class Histogram
{
    /// <summary>Per-bucket counts.</summary>
    public long[] Counts { get; set; } = [];

    /// <summary>Sum of all values.</summary>
    public double Sum { get; set; }

    /// <summary>Smallest value seen.</summary>
    public double Min { get; set; }

    /// <summary>Largest value seen.</summary>
    public double Max { get; set; }
}
