using System.Net;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// Stands in for a request body that is produced while it is sent (<c>JsonContent</c>, <c>StreamContent</c>, …):
/// the original content writes straight to the connection through a tee, so nothing is buffered. It is
/// put on the request only while the call is sent; the handler puts the original back afterwards.
/// </summary>
internal sealed class ObservedRequestContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly OutgoingBody _body;
    private readonly long? _length;

    public ObservedRequestContent(HttpContent inner, OutgoingBody body)
    {
        _inner = inner;
        _body = body;
        _length = inner.Headers.ContentLength; // computed before the headers are copied, so it goes out unchanged
        foreach (var header in inner.Headers.NonValidated)
            Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _body.Restart(); // a redirect or an authentication challenge sends the body again
        await _inner.CopyToAsync(new TeeWriteStream(stream, _body), context, cancellationToken).ConfigureAwait(false);
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _body.Restart();
        _inner.CopyTo(new TeeWriteStream(stream, _body), context, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length ?? 0;
        return _length.HasValue;
    }

    // The original content belongs to the request and is disposed with it.
}
