namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Wraps the request body: the app reads exactly what it would have read (and can read it as a
/// stream or through <c>BodyReader</c>), while the bytes it reads are counted and the first
/// <c>cap</c> kept for capture.
/// </summary>
internal sealed class RequestBodyTee(Stream inner, int cap, bool capture) : Stream
{
    private BodyBuffer _body = Init(cap, capture);

    private static BodyBuffer Init(int cap, bool capture)
    {
        var body = default(BodyBuffer);
        body.Start(capture ? cap : 0);
        return body;
    }

    public Stream Inner => inner;
    public long BytesRead => _body.TotalBytes;
    public bool Truncated => _body.Truncated;
    public ReadOnlySpan<byte> Captured => _body.Captured;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _body.Append(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        _body.Append(buffer.Span[..n]);
        return n;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public void Release() => _body.Release();
}
