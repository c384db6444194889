using System.Runtime.InteropServices;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// A fixed-size lock-free queue for any number of producers and consumers: the bounded queue of
/// D. Vyukov, where each slot's sequence number says whose turn it is. Its slots are allocated once;
/// nothing is allocated per item. <see cref="System.Collections.Concurrent.ConcurrentQueue{T}"/> is
/// unbounded and grows its segments up to a million slots (16 MiB on the large-object heap,
/// allocated again every million items), which under load costs garbage collections. The ring
/// holds exactly its size (any size, not only powers of two), so it is its own bound: no shared
/// counter is updated per item besides the head or the tail.
/// </summary>
internal sealed class BoundedRing<T>
{
    private readonly Slot[] _slots;
    private readonly ulong _size;
    private RingPositions _positions;

    /// <summary>A ring that holds <paramref name="size"/> items.</summary>
    public BoundedRing(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _slots = new Slot[size];
        for (var i = 0; i < size; i++) _slots[i].Sequence = i;
        _size = (ulong)size;
    }

    /// <summary>Items in the ring (a snapshot: items being added or taken at this moment may or may not be counted).</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _positions.Tail) - Volatile.Read(ref _positions.Head), 0, _slots.Length);

    /// <summary>Adds <paramref name="item"/> at the tail; false when every slot is taken.</summary>
    public bool TryEnqueue(T item)
    {
        var position = Volatile.Read(ref _positions.Tail);
        while (true)
        {
            ref var slot = ref _slots[(int)((ulong)position % _size)];
            var difference = Volatile.Read(ref slot.Sequence) - position;
            if (difference == 0)
            {
                var seen = Interlocked.CompareExchange(ref _positions.Tail, position + 1, position);
                if (seen == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1); // published to consumers
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                return false; // the slot one lap back has not been taken yet: full
            }
            else
            {
                position = Volatile.Read(ref _positions.Tail);
            }
        }
    }

    /// <summary>Takes the item at the head; false when the ring is empty (or its head item is still being written).</summary>
    public bool TryDequeue(out T item)
    {
        var position = Volatile.Read(ref _positions.Head);
        while (true)
        {
            ref var slot = ref _slots[(int)((ulong)position % _size)];
            var difference = Volatile.Read(ref slot.Sequence) - (position + 1);
            if (difference == 0)
            {
                var seen = Interlocked.CompareExchange(ref _positions.Head, position + 1, position);
                if (seen == position)
                {
                    item = slot.Item;
                    slot.Item = default!;
                    Volatile.Write(ref slot.Sequence, position + (long)_size); // free for the producer one lap later
                    return true;
                }
                position = seen;
            }
            else if (difference < 0)
            {
                item = default!;
                return false;
            }
            else
            {
                position = Volatile.Read(ref _positions.Head);
            }
        }
    }

    private struct Slot
    {
        public long Sequence;
        public T Item;
    }
}

// Head and tail on cache lines of their own: producers and consumers do not write the same line.
// (Not nested in the generic ring: a generic type cannot have an explicit layout.)
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct RingPositions
{
    [FieldOffset(64)] public long Tail;
    [FieldOffset(128)] public long Head;
}
