using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks, never wakes
/// anything and allocates nothing: a <see cref="BoundedRing{T}"/> of exactly <see cref="SightlineOptions.QueueCapacity"/>
/// slots, allocated at start-up; a full ring drops and counts. An incoming record occupies a slot as its
/// pooled buffer and length, with no object of its own. The shipper polls the queue instead of being woken per item.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    /// <summary>The largest <see cref="SightlineOptions.QueueCapacity"/> (the ring is allocated up front: 24 bytes per slot).</summary>
    public const int MaxCapacity = 1 << 20;

    private readonly BoundedRing<QueuedItem> _ring;
    private readonly TransportMetrics _metrics;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _ring = new BoundedRing<QueuedItem>(Math.Clamp(options.Value.QueueCapacity, 1, MaxCapacity));
    }

    /// <summary>Items waiting to be sent.</summary>
    public int Count => _ring.Count;

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out QueuedItem item) => _ring.TryDequeue(out item);

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
        if (!_ring.TryEnqueue(item))
        {
            _metrics.Dropped.Add(1);
            return false;
        }
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
