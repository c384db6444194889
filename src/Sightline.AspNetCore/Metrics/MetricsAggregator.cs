using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Metrics;

/// <summary>
/// In-process metrics for 100% of traffic per (route, method, status, consumer). Recording is
/// allocation-free once a series exists. The number of series is bounded: beyond
/// <see cref="MaxSeries"/>, new combinations are folded into an overflow series per method/status.
/// </summary>
internal sealed class MetricsAggregator(TimeProvider time, int extraShards = MetricsAggregator.ExtraShards)
{
    public const int MaxSeries = 10_000;
    public const string OverflowRoute = "(other)";

    /// <summary>Shards the series may add beyond their first, together (<see cref="SeriesAccumulator"/>): about 1.6 MiB.</summary>
    public const int ExtraShards = 2048;

    private readonly ConcurrentDictionary<SeriesKey, SeriesAccumulator> _series = new();
    private readonly SeriesAccumulator.ShardBudget _shardBudget = new(extraShards);
    private DateTimeOffset _periodStart = time.GetUtcNow();

    // Identifies this aggregator in the threads' caches without a reference to it: an entry keeps at most its own
    // series alive, never the aggregator and all its series (a process that builds apps one after another).
    private static int s_lastId;
    private readonly int _id = Interlocked.Increment(ref s_lastId);

    // Each thread's recent series (direct-mapped by the route string's identity and the status), so a request
    // whose series this thread recorded before skips hashing and comparing the key in the dictionary: the
    // middleware passes its cached route template instance and the server's method constants.
    private const int CacheSize = 16;

    [ThreadStatic]
    private static CachedSeries[]? t_cache;

    public void Record(string route, string method, int status, ConsumerInfo? consumer, double durationMs, long requestSize, long responseSize, bool isError)
    {
        var consumerId = consumer?.Identifier;
        var cache = t_cache ??= new CachedSeries[CacheSize];
        ref var cached = ref cache[(RuntimeHelpers.GetHashCode(route) ^ status) & (CacheSize - 1)];
        if (cached.Owner != _id || cached.Accumulator is not { } accumulator || !ReferenceEquals(cached.Key.Route, route)
            || cached.Key.Status != status || !string.Equals(cached.Key.Method, method) || !string.Equals(cached.Key.Consumer, consumerId))
        {
            var key = new SeriesKey(route, method, status, consumerId);
            accumulator = Find(key, out var overflow);
            // Series are never removed, so the entry stays right; an overflow mapping is not kept (the key may yet be added by a racing thread).
            cached = overflow ? default : new CachedSeries(_id, key, accumulator);
        }
        if (consumer is not null && !ReferenceEquals(accumulator.ConsumerName, consumer.Name))
        {
            accumulator.ConsumerName = consumer.Name;
            accumulator.ConsumerGroup = consumer.Group;
        }
        accumulator.Record(durationMs, requestSize, responseSize, isError);
    }

    private SeriesAccumulator Find(SeriesKey key, out bool overflow)
    {
        overflow = false;
        if (_series.TryGetValue(key, out var accumulator)) return accumulator;
        if (_series.Count >= MaxSeries)
        {
            overflow = true;
            key = new SeriesKey(OverflowRoute, key.Method, key.Status, null);
        }
        return _series.GetOrAdd(key, static (_, budget) => new SeriesAccumulator(budget), _shardBudget);
    }

    // A series this thread recorded: its aggregator (by id), its key (matched by the route's instance) and its counters.
    private readonly record struct CachedSeries(int Owner, SeriesKey Key, SeriesAccumulator? Accumulator);

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
