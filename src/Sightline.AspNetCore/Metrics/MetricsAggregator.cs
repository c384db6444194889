using System.Collections.Concurrent;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Metrics;

/// <summary>
/// In-process metrics for 100% of traffic per (route, method, status, consumer). Recording is
/// allocation-free once a series exists. The number of series is bounded: beyond
/// <see cref="MaxSeries"/>, new combinations are folded into an overflow series per method/status.
/// </summary>
internal sealed class MetricsAggregator(TimeProvider time)
{
    public const int MaxSeries = 10_000;
    public const string OverflowRoute = "(other)";

    private readonly ConcurrentDictionary<SeriesKey, SeriesAccumulator> _series = new();
    private DateTimeOffset _periodStart = time.GetUtcNow();

    public void Record(string route, string method, int status, ConsumerInfo? consumer, double durationMs, long requestSize, long responseSize, bool isError)
    {
        var key = new SeriesKey(route, method, status, consumer?.Identifier);
        if (!_series.TryGetValue(key, out var accumulator))
        {
            if (_series.Count >= MaxSeries) key = new SeriesKey(OverflowRoute, method, status, null);
            accumulator = _series.GetOrAdd(key, static _ => new SeriesAccumulator());
        }
        if (consumer is not null && !ReferenceEquals(accumulator.ConsumerName, consumer.Name))
        {
            accumulator.ConsumerName = consumer.Name;
            accumulator.ConsumerGroup = consumer.Group;
        }
        accumulator.Record(durationMs, requestSize, responseSize, isError);
    }

    /// <summary>Takes everything counted since the previous flush; null when there was no traffic.</summary>
    public MetricsSnapshot? Flush()
    {
        var now = time.GetUtcNow();
        var snapshot = new MetricsSnapshot { Id = Guid.CreateVersion7(), PeriodStart = _periodStart, PeriodEnd = now };
        _periodStart = now;
        foreach (var (key, accumulator) in _series)
        {
            if (accumulator.Take(key) is { } series) snapshot.Series.Add(series);
        }
        return snapshot.Series.Count == 0 ? null : snapshot;
    }
}
