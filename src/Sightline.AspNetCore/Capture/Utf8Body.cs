using System.Buffers;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A captured, redacted body kept as UTF-8 bytes in a pooled buffer (never as a UTF-16 string):
/// the redactor writes into it (it is an <see cref="IBufferWriter{T}"/>) and the shipper copies it
/// straight into the JSON batch. Serialized as the wire's <c>CapturedBody</c>. An incoming JSON body that a
/// redactor with paths redacted completely is kept <see cref="IsJson"/>: the redactor's output, copied into
/// the record as a raw JSON value (wire <c>json</c>). Other incoming bodies are kept <see cref="Escaped"/>: as a complete JSON string literal
/// (quotes included), written in the same pass as redaction, so the shipper copies them without another
/// escaping pass.
/// </summary>
internal sealed class Utf8Body() : PooledByteWriter(requestScoped: true)
{

    public string? ContentType { get; init; }

    /// <summary>True when the body was longer than the cap and the content is its redacted beginning.</summary>
    public bool Truncated { get; init; }

    /// <summary>Why there is no content (wire <c>omitted</c>); null when <see cref="HasContent"/>.</summary>
    public string? Omitted { get; private set; }

    /// <summary>True when <see cref="Content"/> is the body as a JSON string literal (<c>"</c>…<c>"</c>, escaped as by <see cref="Sightline.Redaction.JsonStringEscaper"/>), not the raw text.</summary>
    public bool Escaped { get; init; }

    /// <summary>
    /// True when <see cref="Content"/> is one complete JSON value (valid UTF-8, nesting at most
    /// <see cref="Sightline.Protocol.Wire.WireConstants.MaxJsonBodyDepth"/>), sent as is as the wire's <c>json</c>
    /// member; false when it is text sent as <c>content</c> (escaped or not, see <see cref="Escaped"/>).
    /// </summary>
    public bool IsJson { get; private set; }

    /// <summary>True when the content is present (it may be empty).</summary>
    public bool HasContent { get; private set; }

    /// <summary>The UTF-8 content written so far.</summary>
    public ReadOnlySpan<byte> Content => Written;

    /// <summary>A body with no content, and why.</summary>
    public static Utf8Body Without(string? contentType, string omitted, bool truncated = false)
        => new() { ContentType = contentType, Omitted = omitted, Truncated = truncated };

    /// <summary>A body whose content is (valid UTF-8) <paramref name="content"/>, copied (with <paramref name="escaped"/>, as a JSON string literal).</summary>
    public static Utf8Body Of(string? contentType, ReadOnlySpan<byte> content, bool truncated, bool escaped = false)
    {
        var body = new Utf8Body { ContentType = contentType, Truncated = truncated, Escaped = escaped };
        if (escaped)
        {
            body.Reserve(content.Length + (content.Length / 4) + 64);
            body.WriteQuote();
            Sightline.Redaction.JsonStringEscaper.Escape(content, body);
            body.WriteQuote();
        }
        else
        {
            content.CopyTo(body.GetSpan(content.Length));
            body.Advance(content.Length);
        }
        body.Complete();
        return body;
    }

    /// <summary>Appends the <c>"</c> that opens or closes an <see cref="Escaped"/> body.</summary>
    public void WriteQuote()
    {
        GetSpan(1)[0] = (byte)'"';
        Advance(1);
    }

    /// <summary>Marks the written bytes as the content.</summary>
    public void Complete() => HasContent = true;

    /// <summary>Marks the written bytes (not <see cref="Escaped"/>) as the content, a complete JSON value to send raw (<see cref="IsJson"/>).</summary>
    public void CompleteJson()
    {
        HasContent = true;
        IsJson = true;
    }

    /// <summary>Discards what was written (e.g. when redaction failed) and records why.</summary>
    public void Fail(string omitted)
    {
        Release();
        HasContent = false;
        Omitted = omitted;
    }
}
