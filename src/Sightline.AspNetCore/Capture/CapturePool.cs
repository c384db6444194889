using System.Buffers;
using System.Collections.Concurrent;
using System.Numerics;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// The pool for captured bodies' and headers' arrays. They are rented on request threads and
/// returned by the shipper, in bursts of hundreds, after the record is serialized into a batch.
/// <see cref="ArrayPool{T}.Shared"/> keeps a few dozen arrays per size and core and drops the rest
/// on return, so under load most captures rented a new array and most returns left garbage. This
/// pool keeps any number of arrays per power-of-two size class, up to a total byte budget, in
/// lock-free queues that do not care which thread returns.
/// </summary>
internal sealed class CapturePool<T>
{
    private const int MinShift = 4;   // 16 elements
    private const int MaxShift = 20;  // 1 Mi elements; larger arrays are not pooled

    public static readonly CapturePool<T> Shared = new(16 * 1024 * 1024);

    private readonly ConcurrentQueue<T[]>[] _classes = new ConcurrentQueue<T[]>[MaxShift - MinShift + 1];
    private readonly long _budget;
    private readonly int _elementSize;
    private long _retained;

    public CapturePool(long budgetBytes)
    {
        _budget = budgetBytes;
        _elementSize = typeof(T).IsValueType ? System.Runtime.CompilerServices.Unsafe.SizeOf<T>() : IntPtr.Size;
        for (var i = 0; i < _classes.Length; i++) _classes[i] = new ConcurrentQueue<T[]>();
    }

    /// <summary>An array of at least <paramref name="minimumLength"/> elements (contents unspecified).</summary>
    public T[] Rent(int minimumLength)
    {
        var shift = Math.Max(MinShift, BitOperations.Log2((uint)Math.Max(1, minimumLength - 1)) + 1);
        if (shift > MaxShift) return new T[minimumLength];
        if (_classes[shift - MinShift].TryDequeue(out var array))
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
        _classes[BitOperations.Log2((uint)length) - MinShift].Enqueue(array);
    }
}
