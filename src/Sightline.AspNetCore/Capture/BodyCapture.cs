using System.Text;
using Sightline.Redaction;
using Sightline.Redaction.Json;

namespace Sightline.AspNetCore.Capture;

/// <summary>The one place that turns captured bytes into a recorded body, so incoming and outgoing capture cannot drift apart.</summary>
internal static class BodyCapture
{
    /// <summary>Decides what of a captured body is recorded, for incoming requests and outgoing calls alike: JSON redacted by path (fail closed),
    /// forms redacted by field, other text kept or dropped by policy, binary omitted. With <paramref name="escaped"/> the content is
    /// kept as a JSON string literal (<see cref="Utf8Body.Escaped"/>; JSON is redacted and escaped in one pass).</summary>
    public static Utf8Body Format(string? contentType, ReadOnlySpan<byte> captured, bool truncated, bool capturable, JsonRedactor redactor, CaptureSettings settings,
        bool escaped = false)
    {
        if (!capturable) return Utf8Body.Without(contentType, "content-type not captured");
        if (CaptureSettings.IsJson(contentType))
        {
            var body = new Utf8Body { ContentType = contentType, Truncated = truncated, Escaped = escaped };
            // The redacted body is about the input's size (a replacement may be longer than the value it replaces);
            // escaped JSON text is about a quarter longer (a quote every few bytes).
            if (!captured.IsEmpty) body.Reserve(captured.Length + (captured.Length / (escaped ? 2 : 4)) + 64);
            JsonRedactionResult result;
            if (escaped)
            {
                body.WriteQuote();
                result = redactor.RedactEscaped(captured, body, truncated);
                body.WriteQuote();
            }
            else
            {
                result = redactor.Redact(captured, body, truncated);
            }
            if (result.Succeeded) body.Complete();
            else body.Fail("redaction failed: " + result.Reason);
            return body;
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
