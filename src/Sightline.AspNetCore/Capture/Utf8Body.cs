using System.Buffers;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// A captured, redacted body kept as UTF-8 bytes in a pooled buffer (never as a UTF-16 string):
/// the redactor writes into it (it is an <see cref="IBufferWriter{T}"/>) and the shipper copies it
/// straight into the JSON batch. Serialized as the wire's <c>CapturedBody</c>. Incoming requests'
/// bodies are kept <see cref="Escaped"/>: as a complete JSON string literal (quotes included), written
/// in the same pass as redaction, so the shipper copies them without another escaping pass.
/// </summary>
internal sealed class Utf8Body : IBufferWriter<byte>
{
    private byte[]? _buffer;
    private int _length;

    public string? ContentType { get; init; }

    /// <summary>True when the body was longer than the cap and the content is its redacted beginning.</summary>
    public bool Truncated { get; init; }

    /// <summary>Why there is no content (wire <c>omitted</c>); null when <see cref="HasContent"/>.</summary>
    public string? Omitted { get; private set; }

    /// <summary>True when <see cref="Content"/> is the body as a JSON string literal (<c>"</c>…<c>"</c>, escaped as by <see cref="Sightline.Redaction.JsonStringEscaper"/>), not the raw text.</summary>
    public bool Escaped { get; init; }

    /// <summary>True when the content is present (it may be empty).</summary>
    public bool HasContent { get; private set; }

    /// <summary>The UTF-8 content written so far.</summary>
    public ReadOnlySpan<byte> Content => _buffer is null ? default : _buffer.AsSpan(0, _length);

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
        _length++;
    }

    /// <summary>Marks the written bytes as the content.</summary>
    public void Complete() => HasContent = true;

    /// <summary>Discards what was written (e.g. when redaction failed) and records why.</summary>
    public void Fail(string omitted)
    {
        Release();
        HasContent = false;
        Omitted = omitted;
    }

    /// <summary>Makes room for <paramref name="bytes"/> more bytes up front (one pooled buffer instead of growing and copying while the redactor writes).</summary>
    public void Reserve(int bytes) => Ensure(bytes);

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    private void Ensure(int sizeHint)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_buffer is not null && _buffer.Length - _length >= sizeHint) return;
        var next = CapturePool<byte>.Shared.Rent(Math.Max(_length + sizeHint, Math.Max(1024, (_buffer?.Length ?? 0) * 2)));
        if (_buffer is not null)
        {
            _buffer.AsSpan(0, _length).CopyTo(next);
            CapturePool<byte>.Shared.Return(_buffer);
        }
        _buffer = next;
    }

    /// <summary>Returns the buffer to the pool; the content is gone afterwards.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = null;
        _length = 0;
        if (buffer is not null) CapturePool<byte>.Shared.Return(buffer);
    }
}
