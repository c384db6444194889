using Sightline.AspNetCore.Capture;

namespace Sightline.AspNetCore.Tests;

/// <summary>Incoming records as the middleware hands them over: the wire JSON in a buffer from <see cref="CapturePool"/>, which whoever takes the record returns.</summary>
internal static class PooledRecords
{
    public static IncomingRecord Incoming(ReadOnlySpan<byte> json)
    {
        var buffer = CapturePool.Shared.Rent(json.Length);
        json.CopyTo(buffer);
        return IncomingRecord.FromJson(buffer, json.Length);
    }

    public static IncomingRecord Incoming(string json) => Incoming(System.Text.Encoding.UTF8.GetBytes(json));
}
