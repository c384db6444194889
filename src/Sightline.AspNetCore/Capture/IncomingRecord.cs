namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A captured incoming request, already written as its wire JSON on the request's own thread
/// (<see cref="IncomingRecordWriter"/>) into a buffer from <see cref="CapturePool"/>: only this
/// buffer waits in the queue (as a slot's buffer and length, with no object of its own), not the
/// objects and buffers of the capture. The shipper copies it into a batch and returns the buffer
/// (<see cref="Release"/>). A value type that owns its buffer: exactly one holder releases it.
/// </summary>
internal readonly struct IncomingRecord
{
    private IncomingRecord(byte[] json, int length)
    {
        Buffer = json;
        Length = length;
    }

    /// <summary>Takes ownership of a pooled buffer holding one record's wire JSON in its first <paramref name="length"/> bytes.</summary>
    public static IncomingRecord FromJson(byte[] json, int length) => new(json, length);

    /// <summary>The pooled buffer (null for a default value).</summary>
    public byte[]? Buffer { get; }

    /// <summary>How many bytes of <see cref="Buffer"/> are the record's JSON.</summary>
    public int Length { get; }

    /// <summary>The record's wire JSON (one element of a batch's <c>records</c> array).</summary>
    public ReadOnlySpan<byte> Json => Buffer is null ? default : Buffer.AsSpan(0, Length);

    /// <summary>Returns the pooled buffer; neither this value nor any copy of it may be used afterwards.</summary>
    public void Release()
    {
        if (Buffer is { Length: > 0 } buffer) CapturePool.Shared.Return(buffer);
    }
}
