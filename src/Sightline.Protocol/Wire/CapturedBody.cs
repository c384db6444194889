using System.Text.Json.Serialization;

namespace Sightline.Protocol.Wire;

/// <summary>
/// A captured, redacted body. The text travels in exactly one of two members: <see cref="Json"/>, a
/// complete JSON body as a raw JSON value, or <see cref="Content"/>, any other body (or the redacted
/// beginning of a truncated one) as a JSON string. When the body could not be safely captured, both are
/// null and <see cref="Omitted"/> says why. A record whose body has both members is invalid.
/// </summary>
public sealed class CapturedBody
{
    /// <summary>The redacted body text (UTF-8), or null when omitted or sent as <see cref="Json"/>.</summary>
    public string? Content { get; set; }

    /// <summary>
    /// The redacted body, when it is one complete JSON value (not truncated, valid UTF-8, nesting at most
    /// <see cref="WireConstants.MaxJsonBodyDepth"/>), embedded in the record as that value itself rather
    /// than as an escaped string: <c>"json": {"id": 1}</c>. Read, it is the value's text exactly as sent
    /// (whitespace and escapes included); written, it must be valid JSON. The server stores it as
    /// <see cref="Content"/>. Added to schema version 1 without changing it: servers from before the member
    /// ignore it (and lose the body text), so SDKs that send it need a server that reads it.
    /// </summary>
    [JsonConverter(typeof(RawJsonTextConverter))]
    public string? Json { get; set; }

    /// <summary>The body's Content-Type.</summary>
    public string? ContentType { get; set; }

    /// <summary>True when the body was longer than the capture cap and <see cref="Content"/> is its redacted beginning (never with <see cref="Json"/>).</summary>
    public bool Truncated { get; set; }

    /// <summary>Why the content is absent: e.g. <c>binary</c>, <c>content-type</c>, <c>redaction-failed: invalid JSON</c>. Null when content is present.</summary>
    public string? Omitted { get; set; }
}
