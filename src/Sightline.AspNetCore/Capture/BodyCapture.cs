using System.Text;
using System.Text.Json;
using Sightline.Protocol.Wire;
using Sightline.Redaction;
using Sightline.Redaction.Json;

namespace Sightline.AspNetCore.Capture;

/// <summary>The one place that turns captured bytes into a recorded body, so incoming and outgoing capture cannot drift apart.</summary>
internal static class BodyCapture
{
    /// <summary>Decides what of a captured body is recorded, for incoming requests and outgoing calls alike: JSON redacted by path (fail closed),
    /// forms redacted by field, other text kept or dropped by policy, binary omitted. With <paramref name="escaped"/> (a body the record
    /// writer will copy: incoming requests), a complete JSON body that can be embedded in the record as a raw value (<see cref="CanEmbed"/>)
    /// is kept as the redactor wrote it (<see cref="Utf8Body.IsJson"/>) and every other body as a JSON string literal
    /// (<see cref="Utf8Body.Escaped"/>; a truncated JSON body is redacted and escaped in one pass). Without it, the content is the plain text.</summary>
    public static Utf8Body Format(string? contentType, ReadOnlySpan<byte> captured, bool truncated, bool capturable, JsonRedactor redactor, CaptureSettings settings,
        bool escaped = false)
    {
        if (!capturable) return Utf8Body.Without(contentType, "content-type not captured");
        if (CaptureSettings.IsJson(contentType))
        {
            // A truncated body is never one complete value, and one a redactor without paths copies unread is not known to be one:
            // they can only travel as strings, so they are redacted straight into a literal.
            var literal = escaped && (truncated || redactor.IsEmpty);
            var body = new Utf8Body { ContentType = contentType, Truncated = truncated, Escaped = literal };
            // The redacted body is about the input's size (a replacement may be longer than the value it replaces);
            // escaped JSON text is about a quarter longer (a quote every few bytes).
            if (!captured.IsEmpty) body.Reserve(captured.Length + (captured.Length / (literal ? 2 : 4)) + 64);
            JsonRedactionResult result;
            if (literal)
            {
                body.WriteQuote();
                result = redactor.RedactEscaped(captured, body, truncated);
                body.WriteQuote();
            }
            else
            {
                result = redactor.Redact(captured, body, truncated);
            }
            if (!result.Succeeded)
            {
                body.Fail("redaction failed: " + result.Reason);
                return body;
            }
            if (escaped && !literal && CanEmbed(body.Content, redactor))
            {
                body.CompleteJson();
                return body;
            }
            if (literal || !escaped)
            {
                body.Complete();
                return body;
            }
            // Rare: complete and redacted but not embeddable (invalid UTF-8 inside a string).
            // The same literal as redacting escaped in one pass (RedactEscaped is Redact's output, escaped).
            var text = Utf8Body.Of(contentType, body.Content, truncated: false, escaped: true);
            body.Release();
            return text;
        }
        var valid = ValidUtf8Length(captured, truncated);
        if (valid < 0) return Utf8Body.Without(contentType, "binary");
        captured = captured[..valid];
        if (CaptureSettings.IsForm(contentType))
            return Utf8Body.Of(contentType, Encoding.UTF8.GetBytes(settings.Form.Redact(Encoding.UTF8.GetString(captured))), truncated, escaped);
        return settings.TextPolicy == TextBodyPolicy.Keep
            ? Utf8Body.Of(contentType, captured, truncated, escaped)
            : Utf8Body.Without(contentType, "text body not redactable (NonJsonTextBodies = Drop)");
    }

    /// <summary>
    /// True when the redacted JSON <paramref name="json"/> can be embedded in a record as a raw value that every reader of the wire
    /// accepts: the redactor has paths, so it validated the body as one complete JSON value nesting at most its limit
    /// (<see cref="RedactionDefaults.MaxJsonDepth"/>, which is at most <see cref="WireConstants.MaxJsonBodyDepth"/>), and the body is
    /// valid UTF-8 (the redactor checks the grammar, not the encoding). A redactor without paths copies the body unread; validating it
    /// only to embed it would cost about three times the escaping it saves (2 KiB: 2.9 µs with <see cref="Utf8JsonReader"/>
    /// against 0.9 µs), so such bodies stay strings.
    /// </summary>
    internal static bool CanEmbed(ReadOnlySpan<byte> json, JsonRedactor redactor)
        => !redactor.IsEmpty && System.Text.Unicode.Utf8.IsValid(json);

    // Length of the valid UTF-8 text, or -1 for binary. A body cut at the cap may end inside a
    // multi-byte character: up to 3 trailing bytes are dropped rather than decoded to U+FFFD.
    private static int ValidUtf8Length(ReadOnlySpan<byte> data, bool truncated)
    {
        if (System.Text.Unicode.Utf8.IsValid(data)) return data.Length;
        if (!truncated) return -1;
        for (var cut = 1; cut <= 3 && cut <= data.Length; cut++)
            if (System.Text.Unicode.Utf8.IsValid(data[..^cut])) return data.Length - cut;
        return -1;
    }
}
