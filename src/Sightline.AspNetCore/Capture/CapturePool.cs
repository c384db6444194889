using System.Buffers;
using System.Numerics;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// The pool for records' JSON buffers. They are rented on request threads and returned by the
/// shipper, in bursts of hundreds, after the record is copied into a batch.
/// <see cref="ArrayPool{T}.Shared"/> keeps a few dozen arrays per size and core and drops the rest
/// on return, so under load most records rented a new array and most returns left garbage. This
/// pool keeps, per power-of-two size class, up to a byte budget's worth of arrays (at most
/// <see cref="MaxPerClass"/>) in a lock-free ring (<see cref="Transport.BoundedRing{T}"/>, created on the
/// class's first return) that does not care which thread returns and allocates nothing once created;
/// a full class drops what is returned. No counter is shared across classes: a rent or a return
/// touches only its class's ring. Buffers rented and returned within one request use
/// <see cref="ArrayPool{T}.Shared"/>, whose per-thread cache is faster for that.
/// </summary>
internal sealed class CapturePool
{
    private const int MinShift = 4;   // 16 bytes
    private const int MaxShift = 20;  // 1 MiB; larger arrays are not pooled

    /// <summary>Most arrays kept per size class.</summary>
    public const int MaxPerClass = 4096;

    /// <summary>
    /// The records' pool: at most 16 MiB per size class and 4,096 buffers (e.g. 4,096 of 2 KiB, 2,048 of 8 KiB: records with
    /// 2 KiB bodies both ways), enough for the records of a busy app between two polls of the shipper, with room for bursts.
    /// </summary>
    public static readonly CapturePool Shared = new(16 * 1024 * 1024);

    private readonly Transport.BoundedRing<byte[]>?[] _classes = new Transport.BoundedRing<byte[]>?[MaxShift - MinShift + 1];
    private readonly long _budget;

    /// <summary>A pool that keeps at most <paramref name="budgetBytesPerClass"/> bytes of arrays per size class.</summary>
    public CapturePool(long budgetBytesPerClass)
    {
        _budget = budgetBytesPerClass;
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> bytes (contents unspecified).</summary>
    public byte[] Rent(int minimumLength)
    {
        var shift = Math.Max(MinShift, BitOperations.Log2((uint)Math.Max(1, minimumLength - 1)) + 1);
        if (shift > MaxShift) return new byte[minimumLength];
        if (Volatile.Read(ref _classes[shift - MinShift]) is { } ring && ring.TryDequeue(out var array)) return array;
        return new byte[1 << shift];
    }

    /// <summary>Takes <paramref name="array"/> back (kept when it is a pooled size and its class has room).</summary>
    public void Return(byte[] array)
    {
        var length = array.Length;
        if (length < 1 << MinShift || length > 1 << MaxShift || !BitOperations.IsPow2(length)) return;
        var ring = Ring(BitOperations.Log2((uint)length) - MinShift, length);
        if (ring is null) return; // the budget holds no array of this size
        ring.TryEnqueue(array); // false when the class is full: dropped
    }

    private Transport.BoundedRing<byte[]>? Ring(int index, int length)
    {
        return Volatile.Read(ref _classes[index]) ?? Create();

        Transport.BoundedRing<byte[]>? Create()
        {
            var slots = Math.Min(_budget / length, MaxPerClass);
            if (slots < 1) return null;
            var ring = new Transport.BoundedRing<byte[]>((int)slots);
            return Interlocked.CompareExchange(ref _classes[index], ring, null) ?? ring;
        }
    }
}
