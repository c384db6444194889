using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks and never
/// wakes anything: a lock-free <see cref="ConcurrentQueue{T}"/> plus a counted bound (a full queue
/// drops and counts). The shipper polls it a few times per flush interval, so a busy app pays for
/// no thread wake-up per request. Incoming records arrive already written as JSON and wait in
/// <see cref="SerializedRecords"/> (one copy into a shared segment, nothing allocated or pooled per
/// record); the other items wait as objects.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    private readonly ConcurrentQueue<object> _items = new();
    private readonly TransportMetrics _metrics;
    private readonly int _capacity;
    private readonly SerializedRecords _records;
    private int _count;

    /// <summary>At most this many bytes of serialized incoming records wait in memory; more are dropped and counted.</summary>
    internal const long MaxSerializedBytes = 64L * 1024 * 1024;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _capacity = options.Value.QueueCapacity;
        _records = new SerializedRecords(_capacity, MaxSerializedBytes);
    }

    /// <summary>Items waiting to be sent (serialized records included).</summary>
    public int Count => Volatile.Read(ref _count) + _records.Count;

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out object item)
    {
        if (!_items.TryDequeue(out item!)) return false;
        Interlocked.Decrement(ref _count);
        return true;
    }

    /// <summary>
    /// The next serialized incoming record (see <see cref="SerializedRecords.TryRead"/>: valid until
    /// the next call; the shipper's thread only).
    /// </summary>
    public bool TryDequeueRecord(out ReadOnlySpan<byte> json) => _records.TryRead(out json);

    public bool TryEnqueue(RequestRecord record) => Write(record);

    public bool TryEnqueueRecord(ReadOnlySpan<byte> json)
    {
        if (!_records.TryAdd(json))
        {
            _metrics.Dropped.Add(1);
            return false;
        }
        _metrics.Queued.Add(1);
        return true;
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
