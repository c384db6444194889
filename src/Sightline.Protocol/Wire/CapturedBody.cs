namespace Sightline.Protocol.Wire;

/// <summary>A captured, redacted body. When the body could not be safely captured, <see cref="Content"/> is null and <see cref="Omitted"/> says why.</summary>
public sealed class CapturedBody
{
    /// <summary>The redacted body text (UTF-8), or null when omitted.</summary>
    public string? Content { get; set; }

    /// <summary>The body's Content-Type.</summary>
    public string? ContentType { get; set; }

    /// <summary>True when the body was longer than the capture cap and <see cref="Content"/> is its redacted beginning.</summary>
    public bool Truncated { get; set; }

    /// <summary>Why the content is absent: e.g. <c>binary</c>, <c>content-type</c>, <c>redaction-failed: invalid JSON</c>. Null when content is present.</summary>
    public string? Omitted { get; set; }
}
