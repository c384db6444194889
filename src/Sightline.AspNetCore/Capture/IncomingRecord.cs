using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// One captured incoming request on its way to the shipper. The middleware hands it over already
/// written as its wire JSON in one pooled buffer (<see cref="FromJson"/>, by
/// <see cref="IncomingRecordWriter"/> on the request's own thread, so only that buffer waits in the
/// queue). It can also be built from parts, cheapest to build on a request path: the scalar fields
/// in a <see cref="RequestRecord"/> (its header and body properties stay null), headers as pooled
/// pairs and bodies as pooled UTF-8, written as exactly the JSON of the equivalent
/// <see cref="RequestRecord"/> by <see cref="Serialize"/> or by the shipper when it arrives unserialized.
/// </summary>
internal sealed class IncomingRecord(RequestRecord record)
{
    private byte[]? _json;
    private int _jsonLength;

    private IncomingRecord(byte[] json, int length)
        : this(null!)
    {
        _json = json;
        _jsonLength = length;
        Record = null;
    }

    /// <summary>A record already written as its wire JSON (by <see cref="IncomingRecordWriter"/>); it owns the pooled <paramref name="json"/> buffer.</summary>
    public static IncomingRecord FromJson(byte[] json, int length) => new(json, length);

    /// <summary>The scalar fields; null once <see cref="Serialize"/> has run.</summary>
    public RequestRecord? Record { get; private set; } = record;

    public HeaderList? RequestHeaders { get; set; }

    public HeaderList? ResponseHeaders { get; set; }

    public Utf8Body? RequestBody { get; set; }

    public Utf8Body? ResponseBody { get; set; }

    /// <summary>True when the record is already written as its wire JSON (<see cref="Json"/>).</summary>
    public bool IsSerialized => _json is not null;

    /// <summary>The record's wire JSON (one element of a batch's <c>records</c> array) once <see cref="Serialize"/> has run.</summary>
    public ReadOnlySpan<byte> Json => _json is null ? default : _json.AsSpan(0, _jsonLength);

    /// <summary>Writes the record as its wire JSON into a pooled buffer with the calling thread's writer and releases everything else.</summary>
    public void Serialize()
    {
        if (_json is not null || Record is null) return;
        try
        {
            (_json, _jsonLength) = ThreadRecordWriter.Write(this);
        }
        finally
        {
            ReleaseParts();
            Record = null;
        }
    }

    /// <summary>Returns the pooled buffers; the record must not be used afterwards.</summary>
    public void Release()
    {
        ReleaseParts();
        var json = _json;
        _json = null;
        _jsonLength = 0;
        if (json is not null) CapturePool<byte>.Shared.Return(json);
    }

    private void ReleaseParts()
    {
        RequestHeaders?.Release();
        ResponseHeaders?.Release();
        RequestBody?.Release();
        ResponseBody?.Release();
        RequestHeaders = ResponseHeaders = null;
        RequestBody = ResponseBody = null;
    }
}
