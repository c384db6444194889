using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Wraps the request body: the app reads exactly what it would have read, as a stream
/// (<c>Request.Body</c>, this stream over the server's) or through <c>BodyReader</c> (this tee's
/// <see cref="IRequestBodyPipeFeature"/>: a thin reader over the server's own pipe reader, so
/// <c>ReadFromJsonAsync</c> and the like keep reading the server's buffers directly rather than
/// through a stream adapter and a copy), while the bytes it reads are counted and the first
/// <c>cap</c> kept for capture.
/// </summary>
internal sealed class RequestBodyTee : Stream, IRequestBodyPipeFeature
{
    private readonly TeePipeReader _reader;
    private Stream _inner = null!;
    private BodyBuffer _body;

    public RequestBodyTee() => _reader = new TeePipeReader(this);

    /// <summary>
    /// A pooled tee over <paramref name="body"/> and, when given, over <paramref name="pipe"/>'s reader (taken now,
    /// before the app's <c>Request.Body</c> is replaced by the tee). Pooled so that counting a chunked upload in
    /// metrics-only mode allocates nothing.
    /// </summary>
    public static RequestBodyTee Rent(Stream body, IRequestBodyPipeFeature? pipe, int cap, bool capture)
    {
        var tee = ThreadCachedPool<RequestBodyTee>.Get();
        tee.Init(body, pipe?.Reader, capture ? cap : 0);
        tee.Capturing = capture;
        return tee;
    }

    private void Init(Stream body, PipeReader? reader, int cap)
    {
        _inner = body;
        _reader.Reset(reader);
        _body.Start(cap);
    }

    /// <summary>Whether the tee has the server's pipe reader to wrap (then it can stand in as the <see cref="IRequestBodyPipeFeature"/>).</summary>
    public bool HasReader => _reader.HasInner;

    PipeReader IRequestBodyPipeFeature.Reader => _reader;

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

    private void Record(ReadOnlySpan<byte> data) => _body.Append(data);

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
        _reader.Reset(null);
        ThreadCachedPool<RequestBodyTee>.Return(this);
    }

    /// <summary>
    /// Forwards to the server's pipe reader and records each byte the first time a read returns it
    /// (a reader may see the same bytes again when it consumed less than it examined). Nothing is
    /// copied for the app, which reads the server's own buffers.
    /// </summary>
    private sealed class TeePipeReader(RequestBodyTee owner) : PipeReader
    {
        private PipeReader? _inner;
        private ReadOnlySequence<byte> _last; // the last buffer handed out, to measure what AdvanceTo consumes
        private long _start;                  // body offset of its first byte
        private long _seen;                   // body bytes recorded so far

        public bool HasInner => _inner is not null;

        private PipeReader Inner => _inner ?? throw new InvalidOperationException("The request has ended.");

        public void Reset(PipeReader? inner)
        {
            _inner = inner;
            _last = default;
            _start = 0;
            _seen = 0;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!Inner.TryRead(out result)) return false;
            Observe(result.Buffer);
            return true;
        }

        public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var pending = Inner.ReadAsync(cancellationToken);
            if (!pending.IsCompletedSuccessfully) return Awaited(pending);
            var result = pending.Result;
            Observe(result.Buffer);
            return new ValueTask<ReadResult>(result);
        }

        private async ValueTask<ReadResult> Awaited(ValueTask<ReadResult> pending)
        {
            var result = await pending.ConfigureAwait(false);
            Observe(result.Buffer);
            return result;
        }

        private void Observe(ReadOnlySequence<byte> buffer)
        {
            _last = buffer;
            var fresh = _seen - _start; // where the bytes not yet recorded begin in this buffer
            if (fresh < 0) fresh = 0;
            if (fresh >= buffer.Length) return;
            foreach (var segment in buffer.Slice(fresh)) owner.Record(segment.Span);
            _seen = _start + buffer.Length;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            var inner = Inner;
            if (!_last.IsEmpty) _start += _last.Slice(0, consumed).Length;
            _last = default;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => Inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => Inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => Inner.CompleteAsync(exception);
    }
}
