using System.Collections.Concurrent;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// Collects last-used times in memory; <see cref="LastUsedFlusher"/> writes them in batches. Recording a use is a
/// dictionary write (no allocation once the key is present), never I/O.
/// </summary>
internal sealed class LastUsedTracker
{
    private readonly ConcurrentDictionary<string, long> _pending = new(StringComparer.Ordinal);

    public int PendingCount => _pending.Count;

    public void Touch(string id, long utcTicks)
    {
        // Last-used has second resolution in practice: skip the (locking) write when nothing would change that matters.
        if (_pending.TryGetValue(id, out var recorded) && utcTicks - recorded < TimeSpan.TicksPerSecond) return;
        _pending[id] = utcTicks;
    }

    /// <summary>Takes what was recorded so far. A use recorded while draining stays for the next batch.</summary>
    public List<KeyValuePair<string, DateTimeOffset>> Drain()
    {
        var batch = new List<KeyValuePair<string, DateTimeOffset>>(_pending.Count);
        foreach (var entry in _pending)
        {
            if (_pending.TryRemove(entry)) batch.Add(new(entry.Key, new DateTimeOffset(entry.Value, TimeSpan.Zero)));
        }
        return batch;
    }

    /// <summary>Puts a batch back after a failed write, keeping any newer time recorded meanwhile.</summary>
    public void Restore(List<KeyValuePair<string, DateTimeOffset>> batch)
    {
        foreach (var (id, at) in batch) _pending.AddOrUpdate(id, at.UtcTicks, (_, existing) => Math.Max(existing, at.UtcTicks));
    }
}
