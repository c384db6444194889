using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// What the middleware captured for one sampled request, in the form that is cheapest to build on
/// the request path: the scalar fields in a <see cref="RequestRecord"/> (its header and body
/// properties stay null), headers as pooled pairs and bodies as pooled UTF-8. The shipper writes
/// it as exactly the JSON of the equivalent <see cref="RequestRecord"/>, then releases the buffers.
/// </summary>
internal sealed class IncomingRecord(RequestRecord record)
{
    public RequestRecord Record { get; } = record;

    public HeaderList? RequestHeaders { get; set; }

    public HeaderList? ResponseHeaders { get; set; }

    public Utf8Body? RequestBody { get; set; }

    public Utf8Body? ResponseBody { get; set; }

    /// <summary>Returns the pooled buffers; the record must not be used afterwards.</summary>
    public void Release()
    {
        RequestHeaders?.Release();
        ResponseHeaders?.Release();
        RequestBody?.Release();
        ResponseBody?.Release();
        RequestHeaders = ResponseHeaders = null;
        RequestBody = ResponseBody = null;
    }
}
