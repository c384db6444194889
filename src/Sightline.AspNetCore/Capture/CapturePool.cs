using System.Buffers;
using System.Numerics;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// The pool for records' JSON buffers. They are rented on request threads and returned by the
/// shipper, in bursts of hundreds, after the record is copied into a batch.
/// <see cref="ArrayPool{T}.Shared"/> keeps a few dozen arrays per size and core and drops the rest
/// on return, so under load most records rented a new array and most returns left garbage. This
/// pool keeps up to <see cref="MaxPerClass"/> arrays per power-of-two size class, within a total byte
/// budget, in lock-free rings (<see cref="Transport.BoundedRing{T}"/>, created on a class's first
/// return) that do not care which thread returns and allocate nothing once created.
/// Buffers rented and returned within one request use <see cref="ArrayPool{T}.Shared"/>, whose
/// per-thread cache is faster for that.
/// </summary>
internal sealed class CapturePool<T>
{
    private const int MinShift = 4;   // 16 elements
    private const int MaxShift = 20;  // 1 Mi elements; larger arrays are not pooled

    /// <summary>Most arrays kept per size class.</summary>
    public const int MaxPerClass = 4096;

    public static readonly CapturePool<T> Shared = new(16 * 1024 * 1024);

    private readonly Transport.BoundedRing<T[]>?[] _classes = new Transport.BoundedRing<T[]>?[MaxShift - MinShift + 1];
    private readonly long _budget;
    private readonly int _elementSize;
    private long _retained;

    public CapturePool(long budgetBytes)
    {
        _budget = budgetBytes;
        _elementSize = typeof(T).IsValueType ? System.Runtime.CompilerServices.Unsafe.SizeOf<T>() : IntPtr.Size;
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> elements (contents unspecified).</summary>
    public T[] Rent(int minimumLength)
    {
        var shift = Math.Max(MinShift, BitOperations.Log2((uint)Math.Max(1, minimumLength - 1)) + 1);
        if (shift > MaxShift) return new T[minimumLength];
        if (Volatile.Read(ref _classes[shift - MinShift]) is { } ring && ring.TryDequeue(out var array))
        {
            Interlocked.Add(ref _retained, -(long)array.Length * _elementSize);
            return array;
        }
        return new T[1 << shift];
    }

    /// <summary>Takes <paramref name="array"/> back (kept when it is a pooled size and the budget allows).</summary>
    public void Return(T[] array, bool clearArray = false)
    {
        var length = array.Length;
        if (length < 1 << MinShift || length > 1 << MaxShift || !BitOperations.IsPow2(length)) return;
        var bytes = (long)length * _elementSize;
        if (Interlocked.Add(ref _retained, bytes) > _budget)
        {
            Interlocked.Add(ref _retained, -bytes);
            return;
        }
        if (clearArray) Array.Clear(array);
        if (!Ring(BitOperations.Log2((uint)length) - MinShift, length).TryEnqueue(array))
            Interlocked.Add(ref _retained, -bytes); // the class is full: dropped
    }

    private Transport.BoundedRing<T[]> Ring(int index, int length)
    {
        return Volatile.Read(ref _classes[index]) ?? Create();

        Transport.BoundedRing<T[]> Create()
        {
            var slots = (int)Math.Clamp(_budget / Math.Max(1L, (long)length * _elementSize), 1, MaxPerClass);
            var ring = new Transport.BoundedRing<T[]>(slots);
            return Interlocked.CompareExchange(ref _classes[index], ring, null) ?? ring;
        }
    }
}
