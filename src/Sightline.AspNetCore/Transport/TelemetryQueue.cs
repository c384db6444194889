using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks, never wakes
/// anything and allocates nothing per item: a <see cref="BoundedRing{T}"/> allocated at start-up, and a
/// count of what waits in it, bounded by <see cref="SightlineOptions.QueueCapacity"/>; what would pass
/// the bound is dropped and counted. Incoming records do not take a slot each: they are compressed
/// into their thread's open segment (<see cref="RecordSegments"/>), which takes one slot, for all its
/// records, once it is sealed. A record is accepted against the sealed items plus its own thread's open
/// segment; other threads' open segments (each a quarter of the bound at most, or one record, and never over 128) are not
/// counted, so as not to share a counter between request threads. The
/// shipper polls the queue instead of being woken per item.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    /// <summary>The largest <see cref="SightlineOptions.QueueCapacity"/> (the ring is allocated up front: 16 bytes per slot).</summary>
    public const int MaxCapacity = 1 << 20;

    private readonly BoundedRing<object> _ring;
    private readonly TransportMetrics _metrics;
    private readonly RecordSegments _segments;
    private readonly int _capacity;
    private long _waiting; // records in sealed segments and other items, in the ring

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        var o = options.Value;
        _capacity = Math.Clamp(o.QueueCapacity, 1, MaxCapacity);
        _ring = new BoundedRing<object>(_capacity);
        // Four segments fill a batch; an open segment holds a quarter of the queue at most.
        _segments = new RecordSegments(Math.Min(o.BatchMaxItems, _capacity) / 4, o.BatchMaxBytes / 4); // RecordSegments clamps each to at least 1
    }

    /// <summary>Items waiting in the queue (records in sealed segments count one each; records in open segments are not counted).</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _waiting), 0, int.MaxValue);

    /// <summary>The segments incoming records are compressed into.</summary>
    internal RecordSegments Segments => _segments;

    /// <summary>
    /// Takes the oldest item, false when the queue is empty: a <see cref="RecordSegment"/> (incoming records),
    /// a <see cref="RequestRecord"/>, a <see cref="MetricsSnapshot"/>, a <see cref="Heartbeat"/> or a <see cref="SecurityEvent"/>.
    /// </summary>
    public bool TryDequeue([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out object? item)
    {
        if (!_ring.TryDequeue(out item)) return false;
        Interlocked.Add(ref _waiting, item is RecordSegment segment ? -segment.Records : -1);
        return true;
    }

    /// <summary>Seals every thread's open segment that has records and queues it (a batch is due, or shutdown); returns how many records that queued.</summary>
    public int SealOpenSegments()
    {
        var records = 0;
        foreach (var writer in _segments.Writers)
        {
            var segment = writer.SealIfAny(out var lost);
            if (lost > 0) _metrics.Dropped.Add(lost);
            if (segment is not null && Publish(segment)) records += segment.Records;
        }
        _segments.PruneEnded();
        return records;
    }

    public bool TryEnqueue(RequestRecord record) => Write(record);

    public bool TryEnqueue(IncomingRecord record)
    {
        try
        {
            var writer = _segments.ForThisThread();
            if (!writer.TryAppend(record.Json, Volatile.Read(ref _waiting), _capacity, out var full, out var lost))
            {
                _metrics.Dropped.Add(Math.Max(1, lost));
                return false;
            }
            _metrics.Queued.Add(1);
            if (full is not null) Publish(full);
            return true;
        }
        finally
        {
            IncomingRecordWriter.Recycle(record); // the JSON is copied: its buffer goes back to this thread's writer
        }
    }

    public bool TryEnqueue(MetricsSnapshot snapshot) => Write(snapshot);
    public bool TryEnqueue(Heartbeat heartbeat) => Write(heartbeat);
    public bool TryEnqueue(SecurityEvent securityEvent) => Write(securityEvent);

    // Queues a sealed segment. Its records were accepted against the bound already, so only a full ring
    // (it has a slot per unit of the bound, so never in practice) drops them.
    private bool Publish(RecordSegment segment)
    {
        Interlocked.Add(ref _waiting, segment.Records);
        if (_ring.TryEnqueue(segment)) return true;
        Interlocked.Add(ref _waiting, -segment.Records);
        _metrics.Dropped.Add(segment.Records);
        segment.Release();
        return false;
    }

    private bool Write(object item)
    {
        if (Interlocked.Increment(ref _waiting) > _capacity || !_ring.TryEnqueue(item))
        {
            Interlocked.Decrement(ref _waiting);
            _metrics.Dropped.Add(1);
            return false;
        }
        _metrics.Queued.Add(1);
        return true;
    }
}
