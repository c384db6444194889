using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// The bounded in-memory queue between capture and the shipper. Writing never blocks, never wakes
/// anything and allocates nothing: a fixed ring of slots allocated once (the bounded multi-producer
/// queue of D. Vyukov: each slot's sequence number says whose turn it is), plus a counted bound
/// (a full queue drops and counts). An incoming record occupies a slot as its pooled buffer and
/// length, with no object of its own. The shipper polls the queue instead of being woken per item.
/// Unlike a <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/>, whose segments grow to
/// a million slots (16 MiB on the large-object heap, allocated again every million items), nothing
/// here is allocated after start-up.
/// </summary>
internal sealed class TelemetryQueue : ITelemetrySink
{
    /// <summary>The largest <see cref="SightlineOptions.QueueCapacity"/> (the ring is allocated up front: 24 bytes per slot).</summary>
    public const int MaxCapacity = 1 << 20;

    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly TransportMetrics _metrics;
    private readonly int _capacity;
    private Positions _positions;
    private int _count;

    public TelemetryQueue(IOptions<SightlineOptions> options, TransportMetrics metrics)
    {
        _metrics = metrics;
        _capacity = Math.Clamp(options.Value.QueueCapacity, 1, MaxCapacity);
        var size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(_capacity, 2));
        _slots = new Slot[size];
        for (var i = 0; i < size; i++) _slots[i].Sequence = i;
        _mask = size - 1;
    }

    /// <summary>Items waiting to be sent.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes the oldest item; false when the queue is empty.</summary>
    public bool TryDequeue(out QueuedItem item)
    {
        var position = Volatile.Read(ref _positions.Head);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var difference = Volatile.Read(ref slot.Sequence) - (position + 1);
            if (difference == 0)
            {
                var seen = Interlocked.CompareExchange(ref _positions.Head, position + 1, position);
                if (seen == position)
                {
                    item = new QueuedItem(slot.Item!, slot.Length);
                    slot.Item = null;
                    Volatile.Write(ref slot.Sequence, position + _mask + 1); // free for the producer one lap later
                    Interlocked.Decrement(ref _count);
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                item = default;
                return false; // empty (or the next item is still being written: it is taken on the next poll)
            }
            else
            {
                position = Volatile.Read(ref _positions.Head);
            }
        }
    }

    public bool TryEnqueue(RequestRecord record) => Write(record, 0);

    public bool TryEnqueue(IncomingRecord record)
    {
        if (record.Buffer is { } buffer && Write(buffer, record.Length)) return true;
        record.Release();
        return false;
    }

    public bool TryEnqueue(MetricsSnapshot snapshot) => Write(snapshot, 0);
    public bool TryEnqueue(Heartbeat heartbeat) => Write(heartbeat, 0);
    public bool TryEnqueue(SecurityEvent securityEvent) => Write(securityEvent, 0);

    private bool Write(object item, int length)
    {
        // The count bounds the queue to its capacity, which the ring's size is at least: a producer that
        // got past it always finds its slot free (a consumer frees the slot before it decrements).
        if (Interlocked.Increment(ref _count) > _capacity)
        {
            Interlocked.Decrement(ref _count);
            _metrics.Dropped.Add(1);
            return false;
        }
        var position = Volatile.Read(ref _positions.Tail);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var difference = Volatile.Read(ref slot.Sequence) - position;
            if (difference == 0)
            {
                var seen = Interlocked.CompareExchange(ref _positions.Tail, position + 1, position);
                if (seen == position)
                {
                    slot.Item = item;
                    slot.Length = length;
                    Volatile.Write(ref slot.Sequence, position + 1); // published to the consumer
                    _metrics.Queued.Add(1);
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                // The slot one lap back is still being read: only possible while a consumer is between taking
                // it and decrementing the count, so wait for it rather than drop an item the count admitted.
                Thread.SpinWait(1);
                position = Volatile.Read(ref _positions.Tail);
            }
            else
            {
                position = Volatile.Read(ref _positions.Tail);
            }
        }
    }

    private struct Slot
    {
        public long Sequence;
        public object? Item;
        public int Length;
    }

    // Head and tail on cache lines of their own: producers (request threads) and the consumer (the shipper) do not share one.
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Positions
    {
        [FieldOffset(64)] public long Tail;
        [FieldOffset(128)] public long Head;
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
