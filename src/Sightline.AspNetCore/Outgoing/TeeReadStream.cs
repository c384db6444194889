namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// The response stream handed to the caller: every read comes straight from the connection's stream
/// (nothing is held back, so streaming is unchanged) while the bytes are teed into the call's
/// <see cref="OutgoingBody"/>. The call is recorded when the stream ends, fails or is disposed, whichever comes first.
/// </summary>
internal sealed class TeeReadStream(Stream inner, OutgoingCall call, OutgoingBody body) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override bool CanTimeout => inner.CanTimeout;
    public override int ReadTimeout { get => inner.ReadTimeout; set => inner.ReadTimeout = value; }
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = inner.Read(buffer);
        }
        catch (Exception e) when (Failed(e))
        {
            throw; // unreachable: Failed returns false, the exception reaches the caller untouched
        }
        return Seen(buffer[..n], buffer.IsEmpty);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failed(e))
        {
            throw; // unreachable
        }
        return Seen(buffer.Span[..n], buffer.IsEmpty);
    }

    private int Seen(ReadOnlySpan<byte> data, bool zeroByteRead)
    {
        // A zero-byte read (used to wait for data without a buffer) returns 0 without meaning the end.
        if (!data.IsEmpty) body.Append(data);
        else if (!zeroByteRead) call.Complete();
        return data.Length;
    }

    private bool Failed(Exception e)
    {
        body.Incomplete = true;
        call.Fail(e);
        call.Complete(); // a body that failed is over: the record goes now, not when the response is disposed
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            body.Incomplete |= !call.IsComplete;
            call.Complete();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
