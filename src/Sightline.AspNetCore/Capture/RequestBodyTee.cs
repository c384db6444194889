using Microsoft.Extensions.ObjectPool;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Wraps the request body: the app reads exactly what it would have read (and can read it as a
/// stream or through <c>BodyReader</c>), while the bytes it reads are counted and the first
/// <c>cap</c> kept for capture.
/// </summary>
internal sealed class RequestBodyTee : Stream
{
    private static readonly ObjectPool<RequestBodyTee> s_pool = new DefaultObjectPool<RequestBodyTee>(new DefaultPooledObjectPolicy<RequestBodyTee>(), 256);
    private Stream _inner = null!;
    private BodyBuffer _body;

    /// <summary>A pooled tee over <paramref name="body"/> (pooled so that counting a chunked upload in metrics-only mode allocates nothing).</summary>
    public static RequestBodyTee Rent(Stream body, int cap, bool capture)
    {
        var tee = s_pool.Get();
        tee.Init(body, capture ? cap : 0);
        tee.Capturing = capture;
        return tee;
    }

    private void Init(Stream body, int cap)
    {
        _inner = body;
        _body.Start(cap);
    }

    public Stream Inner => _inner;
    /// <summary>Whether this tee keeps bytes for capture (the request's content type is captured), or only counts them.</summary>
    public bool Capturing { get; private set; }
    public long BytesRead => _body.TotalBytes;
    public bool Truncated => _body.Truncated;
    public ReadOnlySpan<byte> Captured => _body.Captured;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;
    public override long Position { get => _inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        _body.Append(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _body.Append(buffer.Span[..n]);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Returns the buffer and the tee to their pools; the tee must not be used afterwards.</summary>
    public void Release()
    {
        _body.Release();
        _inner = null!;
        s_pool.Return(this);
    }
}
