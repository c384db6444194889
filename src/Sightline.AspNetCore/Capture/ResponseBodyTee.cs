using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Wraps the response body feature: every write (stream or <c>BodyWriter</c>) goes straight to the
/// server's own writer — nothing is held back, so streaming, flushes, Content-Length and HTTP/2
/// behave as without Sightline — while bytes are counted and the first <c>cap</c> copied for capture.
/// <c>SendFileAsync</c> passes through (counted, not captured).
/// </summary>
internal sealed class ResponseBodyTee : Stream, IHttpResponseBodyFeature
{
    private readonly TeePipeWriter _writer;
    private IHttpResponseBodyFeature _inner = null!;
    private BodyBuffer _body;

    public ResponseBodyTee() => _writer = new TeePipeWriter(this);

    /// <summary>A pooled tee over <paramref name="inner"/> (pooled so that metrics-only requests allocate nothing).</summary>
    public static ResponseBodyTee Rent(IHttpResponseBodyFeature inner, int cap)
    {
        var tee = ThreadCachedPool<ResponseBodyTee>.Get();
        tee.Init(inner, cap);
        return tee;
    }

    private void Init(IHttpResponseBodyFeature inner, int cap)
    {
        _inner = inner;
        _body.Start(cap);
        SentFile = false;
        _writer.Reset(inner);
    }

    public long BytesWritten => _body.TotalBytes;
    public bool Truncated => _body.Truncated;
    public bool SentFile { get; private set; }
    public ReadOnlySpan<byte> Captured => _body.Captured;

    internal void Record(ReadOnlySpan<byte> data) => _body.Append(data);

    Stream IHttpResponseBodyFeature.Stream => this;
    PipeWriter IHttpResponseBodyFeature.Writer => _writer;
    void IHttpResponseBodyFeature.DisableBuffering() => _inner.DisableBuffering();
    Task IHttpResponseBodyFeature.StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);
    Task IHttpResponseBodyFeature.CompleteAsync() => _inner.CompleteAsync();

    Task IHttpResponseBodyFeature.SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken)
    {
        SentFile = true;
        try
        {
            _body.Count(count ?? Math.Max(0, new FileInfo(path).Length - offset));
        }
        catch (IOException)
        {
            // size unknown; the app's own call below reports the real problem
        }
        return _inner.SendFileAsync(path, offset, count, cancellationToken);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _body.Append(buffer);
        _inner.Stream.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _body.Append(buffer.Span);
        return _inner.Stream.WriteAsync(buffer, cancellationToken);
    }

    public override void Flush() => _inner.Stream.Flush();
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.Stream.FlushAsync(cancellationToken);
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Returns the buffer and the tee to their pools; the tee must not be used afterwards.</summary>
    public void Release()
    {
        _body.Release();
        _inner = null!;
        _writer.Reset(null);
        ThreadCachedPool<ResponseBodyTee>.Return(this);
    }

    /// <summary>Hands out the server's own buffers and records what the app advances over them.</summary>
    private sealed class TeePipeWriter(ResponseBodyTee owner) : PipeWriter
    {
        private Memory<byte> _last;
        private PipeWriter? _innerWriter;
        private IHttpResponseBodyFeature? _feature;

        // The server's PipeWriter is fetched lazily: apps that only use the stream never create it.
        private PipeWriter inner => _innerWriter ??= _feature!.Writer;

        public void Reset(IHttpResponseBodyFeature? feature)
        {
            _feature = feature;
            _innerWriter = null;
            _last = default;
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;

        public override void Advance(int bytes)
        {
            if (bytes > 0) owner.Record(_last.Span[..bytes]);
            _last = default;
            inner.Advance(bytes);
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            owner.Record(source.Span);
            return inner.WriteAsync(source, cancellationToken);
        }

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
