using System.Buffers;
using System.Text;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// One body of an outgoing call as it passes: every byte counted, the first <c>cap</c> kept in a pooled
/// buffer. Thread-safe, because a caller may dispose a response stream on another thread than the one
/// reading it. Turned into a redacted <see cref="CapturedBody"/> under the same rules as incoming bodies.
/// </summary>
internal sealed class OutgoingBody
{
    private readonly Lock _gate = new();
    private BodyBuffer _buffer;
    private readonly int _cap;
    private bool _released;

    public OutgoingBody(int cap)
    {
        _cap = cap;
        _buffer.Start(cap);
    }

    /// <summary>True when the body was not read to its end (the caller stopped early or the read failed).</summary>
    public bool Incomplete { get; set; }

    public long TotalBytes
    {
        get
        {
            lock (_gate) return _buffer.TotalBytes;
        }
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (!_released) _buffer.Append(data);
        }
    }

    /// <summary>Starts over (content serialised again, e.g. for a redirect or an authentication retry).</summary>
    public void Restart()
    {
        lock (_gate)
        {
            if (_released) return;
            _buffer.Release();
            _buffer.Start(_cap);
        }
    }

    /// <summary>
    /// The redacted body. Fails closed: a body that cannot be redacted becomes a marker, never raw text.
    /// The pooled buffer is returned; later appends are ignored.
    /// </summary>
    public CapturedBody Describe(string? contentType, bool capturable, JsonRedactor redactor, CaptureSettings settings)
    {
        lock (_gate)
        {
            try
            {
                var truncated = _buffer.Truncated || Incomplete;
                return Format(contentType, _buffer.Captured, truncated, capturable, redactor, settings);
            }
            finally
            {
                Release();
            }
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            if (_released) return;
            _released = true;
            _buffer.Release();
        }
    }

    /// <summary>The same decisions as for incoming bodies: JSON redacted by path, forms by field, other text by policy, binary omitted.</summary>
    internal static CapturedBody Format(string? contentType, ReadOnlySpan<byte> captured, bool truncated, bool capturable, JsonRedactor redactor, CaptureSettings settings)
    {
        if (!capturable) return new CapturedBody { ContentType = contentType, Omitted = "content-type not captured" };
        if (CaptureSettings.IsJson(contentType))
        {
            var output = new ArrayBufferWriter<byte>(Math.Max(256, captured.Length + 64));
            var result = redactor.Redact(captured, output, truncated);
            return result.Succeeded
                ? new CapturedBody { ContentType = contentType, Content = Encoding.UTF8.GetString(output.WrittenSpan), Truncated = truncated }
                : new CapturedBody { ContentType = contentType, Omitted = "redaction failed: " + result.Reason, Truncated = truncated };
        }
        var valid = ValidUtf8Length(captured, truncated);
        if (valid < 0) return new CapturedBody { ContentType = contentType, Omitted = "binary" };
        captured = captured[..valid];
        if (CaptureSettings.IsForm(contentType))
            return new CapturedBody { ContentType = contentType, Content = settings.Form.Redact(Encoding.UTF8.GetString(captured)), Truncated = truncated };
        return settings.TextPolicy == TextBodyPolicy.Keep
            ? new CapturedBody { ContentType = contentType, Content = Encoding.UTF8.GetString(captured), Truncated = truncated }
            : new CapturedBody { ContentType = contentType, Omitted = "text body not redactable (NonJsonTextBodies = Drop)" };
    }

    // A body cut at the cap may end inside a multi-byte character: up to 3 trailing bytes are dropped.
    private static int ValidUtf8Length(ReadOnlySpan<byte> data, bool truncated)
    {
        if (System.Text.Unicode.Utf8.IsValid(data)) return data.Length;
        if (!truncated) return -1;
        for (var cut = 1; cut <= 3 && cut <= data.Length; cut++)
            if (System.Text.Unicode.Utf8.IsValid(data[..^cut])) return data.Length - cut;
        return -1;
    }
}
