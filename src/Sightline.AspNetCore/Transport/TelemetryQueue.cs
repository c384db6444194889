using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks and never
/// wakes anything: a lock-free <see cref="ConcurrentQueue{T}"/> plus a counted bound (a full queue
/// drops and counts). The shipper polls it a few times per flush interval, so a busy app pays for
/// no thread wake-up per request.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    private readonly ConcurrentQueue<object> _items = new();
    private readonly TransportMetrics _metrics;
    private readonly int _capacity;
    private int _count;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _capacity = options.Value.QueueCapacity;
    }

    /// <summary>Items waiting to be sent.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out object item)
    {
        if (!_items.TryDequeue(out item!)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    public bool TryEnqueue(RequestRecord record) => Write(record);
    public bool TryEnqueue(IncomingRecord record)
    {
        if (Write(record)) return true;
        record.Release();
        return false;
    }

    public bool TryEnqueue(MetricsSnapshot snapshot) => Write(snapshot);
    public bool TryEnqueue(Heartbeat heartbeat) => Write(heartbeat);
    public bool TryEnqueue(SecurityEvent securityEvent) => Write(securityEvent);

    private bool Write(object item)
    {
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            _metrics.Dropped.Add(1);
            return false;
        }
        _items.Enqueue(item);
        _metrics.Queued.Add(1);
        return true;
    }
}
