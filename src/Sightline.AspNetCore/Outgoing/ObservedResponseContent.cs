using System.Net;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// Stands in for the response body of an outgoing call. Nothing is buffered by Sightline: reading the
/// stream reads the connection through a <see cref="TeeReadStream"/>, and buffering by the caller
/// (<c>HttpCompletionOption.ResponseContentRead</c>, <c>ReadAsStringAsync</c>) copies through a
/// <see cref="TeeWriteStream"/>. The call is recorded when the body ends, fails, or the response is disposed.
/// </summary>
internal sealed class ObservedResponseContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly OutgoingCall _call;
    private readonly OutgoingBody _body;
    private readonly long? _length;

    public ObservedResponseContent(HttpContent inner, OutgoingCall call, OutgoingBody body)
    {
        _inner = inner;
        _call = call;
        _body = body;
        _length = inner.Headers.ContentLength;
        foreach (var header in inner.Headers.NonValidated)
            Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await _inner.CopyToAsync(new TeeWriteStream(stream, _body), context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Failed(e))
        {
            throw; // unreachable: Failed returns false
        }
        _call.Complete();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            _inner.CopyTo(new TeeWriteStream(stream, _body), context, cancellationToken);
        }
        catch (Exception e) when (Failed(e))
        {
            throw; // unreachable
        }
        _call.Complete();
    }

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
        => new TeeReadStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), _call, _body);

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken)
        => new TeeReadStream(_inner.ReadAsStream(cancellationToken), _call, _body);

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length.HasValue;
    }

    private bool Failed(Exception e)
    {
        _body.Incomplete = true;
        _call.Fail(e);
        _call.Complete(); // a body that failed is over: the record goes now, not when the response is disposed
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Disposed before the body was read to the end: recorded with what was seen.
            _body.Incomplete |= !_call.IsComplete;
            _call.Complete();
            _inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
