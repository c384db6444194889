using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks, never wakes
/// anything and allocates nothing: a <see cref="BoundedRing{T}"/> allocated at start-up plus a counted
/// bound (a full queue drops and counts). An incoming record occupies a slot as its pooled buffer and
/// length, with no object of its own. The shipper polls the queue instead of being woken per item.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    /// <summary>The largest <see cref="SightlineOptions.QueueCapacity"/> (the ring is allocated up front: 24 bytes per slot).</summary>
    public const int MaxCapacity = 1 << 20;

    private readonly BoundedRing<QueuedItem> _ring;
    private readonly TransportMetrics _metrics;
    private readonly int _capacity;
    private int _count;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _capacity = Math.Clamp(options.Value.QueueCapacity, 1, MaxCapacity);
        _ring = new BoundedRing<QueuedItem>(_capacity);
    }

    /// <summary>Items waiting to be sent.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out QueuedItem item)
    {
        if (!_ring.TryDequeue(out item)) return false;
        Interlocked.Decrement(ref _count); // after the slot is free: the count never admits more items than the ring has free slots
        return true;
    }

    public bool TryEnqueue(RequestRecord record) => Write(new QueuedItem(record, 0));

    public bool TryEnqueue(IncomingRecord record)
    {
        if (record.Buffer is { } buffer && Write(new QueuedItem(buffer, record.Length))) return true;
        record.Release();
        return false;
    }

    public bool TryEnqueue(MetricsSnapshot snapshot) => Write(new QueuedItem(snapshot, 0));
    public bool TryEnqueue(Heartbeat heartbeat) => Write(new QueuedItem(heartbeat, 0));
    public bool TryEnqueue(SecurityEvent securityEvent) => Write(new QueuedItem(securityEvent, 0));

    private bool Write(QueuedItem item)
    {
        // The count bounds the queue to its capacity, and the ring has at least that many slots: an item the
        // count admitted finds a slot, except while another consumer is between taking a slot one lap back and
        // freeing it, which it waits out rather than drop an admitted item.
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            _metrics.Dropped.Add(1);
            return false;
        }
        while (!_ring.TryEnqueue(item)) Thread.SpinWait(1);
        _metrics.Queued.Add(1);
        return true;
    }
}

/// <summary>An item taken from the <see cref="TelemetryQueue"/>: an incoming record's pooled JSON buffer and length, or another wire item.</summary>
internal readonly struct QueuedItem(object item, int length)
{
    /// <summary>The item: a <c>byte[]</c> (an incoming record's JSON, <see cref="Length"/> bytes of it), a <see cref="RequestRecord"/>, a <see cref="MetricsSnapshot"/>, a <see cref="Heartbeat"/> or a <see cref="SecurityEvent"/>.</summary>
    public object Item { get; } = item;

    /// <summary>For an incoming record, the length of its JSON.</summary>
    public int Length { get; } = length;
}
