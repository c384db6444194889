namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A captured incoming request, already written as its wire JSON on the request's own thread
/// (<see cref="IncomingRecordWriter"/>) into a buffer from <see cref="CapturePool{T}"/>: only this
/// buffer waits in the queue, not the objects and buffers of the capture. The shipper copies it
/// into a batch and returns the buffer (<see cref="Release"/>).
/// </summary>
internal sealed class IncomingRecord
{
    private byte[]? _json;
    private int _jsonLength;

    private IncomingRecord(byte[] json, int length)
    {
        _json = json;
        _jsonLength = length;
    }

    /// <summary>Takes ownership of a pooled buffer holding one record's wire JSON in its first <paramref name="length"/> bytes.</summary>
    public static IncomingRecord FromJson(byte[] json, int length) => new(json, length);

    /// <summary>The record's wire JSON (one element of a batch's <c>records</c> array); empty once released.</summary>
    public ReadOnlySpan<byte> Json => _json is null ? default : _json.AsSpan(0, _jsonLength);

    /// <summary>Returns the pooled buffer; the record must not be used afterwards.</summary>
    public void Release()
    {
        var json = _json;
        _json = null;
        _jsonLength = 0;
        if (json is not null) CapturePool<byte>.Shared.Return(json);
    }
}
