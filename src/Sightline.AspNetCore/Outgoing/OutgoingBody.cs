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

    /// <summary>The same decisions as for incoming bodies (<see cref="BodyCapture"/>), as a wire <see cref="CapturedBody"/>.</summary>
    internal static CapturedBody Format(string? contentType, ReadOnlySpan<byte> captured, bool truncated, bool capturable, JsonRedactor redactor, CaptureSettings settings)
    {
        var body = BodyCapture.Format(contentType, captured, truncated, capturable, redactor, settings);
        try
        {
            return new CapturedBody
            {
                ContentType = body.ContentType,
                Content = body.HasContent ? Encoding.UTF8.GetString(body.Content) : null,
                Omitted = body.Omitted,
                Truncated = body.Truncated,
            };
        }
        finally
        {
            body.Release();
        }
    }
}
