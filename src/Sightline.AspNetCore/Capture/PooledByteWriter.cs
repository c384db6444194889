using System.Buffers;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A growable <see cref="IBufferWriter{T}"/> over one pooled buffer: what a captured body
/// (<see cref="Utf8Body"/>, released when its request ends: <see cref="ArrayPool{T}.Shared"/>, whose
/// per-thread cache suits that) and a record's JSON (<see cref="IncomingRecordWriter"/>, handed over to
/// the shipper, which releases it on its own thread: <see cref="CapturePool"/>) are written into.
/// <c>requestScoped</c> picks <see cref="ArrayPool{T}.Shared"/>; only a writer that is never <see cref="Detach"/>ed may use it.
/// </summary>
internal class PooledByteWriter(bool requestScoped = false) : IBufferWriter<byte>
{
    private const int MinimumSize = 1024;
    private byte[]? _buffer;
    private int _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> Written => _buffer is null ? default : _buffer.AsSpan(0, _length);

    /// <summary>Makes room for <paramref name="bytes"/> more bytes up front (one pooled buffer instead of growing and copying while writing).</summary>
    public void Reserve(int bytes) => Ensure(bytes);

    /// <summary>How many bytes have been written.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far, for patching in place.</summary>
    public Span<byte> WrittenMutable => _buffer is null ? default : _buffer.AsSpan(0, _length);

    public void Advance(int count) => _length += count;

    /// <summary>Forgets the last <paramref name="count"/> bytes written.</summary>
    public void Unwrite(int count) => _length -= Math.Min(count, _length);

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    /// <summary>Hands the buffer and the length written over to the caller (who returns it to the pool); this writer starts empty.</summary>
    public (byte[] Buffer, int Length) Detach()
    {
        var result = (_buffer ?? [], _length);
        _buffer = null;
        _length = 0;
        return result;
    }

    /// <summary>Takes <paramref name="buffer"/> (from <see cref="CapturePool"/>) as its buffer when it has none; false otherwise.</summary>
    public bool TryAdopt(byte[] buffer)
    {
        if (_buffer is not null || requestScoped) return false;
        _buffer = buffer;
        _length = 0;
        return true;
    }

    /// <summary>Returns the buffer to the pool; what was written is gone afterwards.</summary>
    public void Release()
    {
        var (buffer, _) = Detach();
        if (buffer.Length > 0) Return(buffer);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length - _length >= sizeHint) return;
        var size = Math.Max(_length + sizeHint, Math.Max(MinimumSize, (_buffer?.Length ?? 0) * 2));
        var next = requestScoped ? ArrayPool<byte>.Shared.Rent(size) : CapturePool.Shared.Rent(size);
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(next);
            Return(_buffer);
        }
        _buffer = next;
    }

    private void Return(byte[] buffer)
    {
        if (requestScoped) ArrayPool<byte>.Shared.Return(buffer);
        else CapturePool.Shared.Return(buffer);
    }
}
