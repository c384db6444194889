using System.Buffers;

namespace Sightline.AspNetCore.Capture;

/// <summary>Keeps the first <c>cap</c> bytes of a body in a pooled buffer and counts all of them.</summary>
internal struct BodyBuffer
{
    private byte[]? _buffer;
    private int _captured;
    private int _cap;

    public long TotalBytes { get; private set; }

    public readonly bool Truncated => TotalBytes > _captured;

    public readonly ReadOnlySpan<byte> Captured => _buffer is null ? default : _buffer.AsSpan(0, _captured);

    public void Start(int cap)
    {
        _cap = cap;
        _captured = 0;
        TotalBytes = 0;
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        TotalBytes += data.Length;
        var room = _cap - _captured;
        if (room <= 0 || data.IsEmpty) return;
        var take = Math.Min(room, data.Length);
        if (_buffer is null || _buffer.Length < _captured + take)
        {
            var next = ArrayPool<byte>.Shared.Rent(Math.Min(_cap, Math.Max(_captured + take, Math.Min(_cap, 4096))));
            if (_buffer is not null)
            {
                _buffer.AsSpan(0, _captured).CopyTo(next);
                ArrayPool<byte>.Shared.Return(_buffer);
            }
            _buffer = next;
        }
        data[..take].CopyTo(_buffer.AsSpan(_captured));
        _captured += take;
    }

    public void Count(long bytes) => TotalBytes += bytes;

    public void Release()
    {
        if (_buffer is not null) ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = null;
        _captured = 0;
        TotalBytes = 0;
    }
}
