using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Writes an incoming request's record as its wire JSON straight from the <see cref="HttpContext"/>,
/// on the request's own thread, into one pooled buffer (<see cref="PooledByteWriter"/>): no
/// <see cref="RequestRecord"/>, header lists or joined/hex/ISO strings in between. The envelope
/// (ids, scalars, headers) is written as UTF-8 by hand: literal property names, numbers, UUID,
/// timestamp, trace ids and the client IP formatted straight into the buffer, and strings transcoded
/// from UTF-16 (invalid surrogates become U+FFFD) then checked with one vectorized search for the
/// bytes JSON must escape (<c>"</c>, <c>\</c>, control characters), escaped by <see cref="JsonStringEscaper"/> only
/// when found. The rarer parts (bodies, consumer, errors, validation errors, outgoing calls) go through a
/// <see cref="Utf8JsonWriter"/> and <see cref="RecordJsonWriter"/>, the same code that writes outgoing-call records. The result
/// parses to the same <see cref="RequestRecord"/> as <see cref="RecordJsonWriter"/>'s output (same
/// members in the same order, nulls omitted). One writer per thread, never shared.
/// </summary>
internal sealed class IncomingRecordWriter
{
    private const int MaxPathLength = 2048;
    private const int MaxHeaderValueLength = 4096;

    private static readonly SearchValues<byte> s_mustEscape = SearchValues.Create(
        "\0\u0001\u0002\u0003\u0004\u0005\u0006\u0007\b\t\n\u000B\f\r\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\"u8);

    private static readonly byte[] s_direction = Encoding.UTF8.GetBytes(",\"direction\":" + JsonSerializer.Serialize(WireConstants.DirectionIncoming));

    [ThreadStatic]
    private static IncomingRecordWriter? t_current;

    private readonly PooledByteWriter _output = new();
    private readonly RecordJsonWriter _records = new();
    private readonly TimestampFormatter _timestamps = new();
    private readonly Utf8JsonWriter _json;
    private byte[] _scratch = new byte[256];
    private bool _busy;

    // Header names seen by this thread, by text: per name, its JSON member prefix ("Name":) and whether its value is
    // redacted, so a hit skips transcoding, the escape check and the redaction lookup. Keyed by the text, not the
    // instance: the server hands out the same instances for known headers (Host, Content-Type, ...) but allocates
    // the names of other request headers (X-Api-Key, traceparent, ...) anew on every request. Two candidate slots
    // per name; a name is only put in an empty one, so entries are never evicted and the cache allocates at most
    // once per slot.
    private const int NameCacheSize = 128;
    private readonly NameEntry[] _names = new NameEntry[NameCacheSize];

    private IncomingRecordWriter() => _json = new Utf8JsonWriter(_output, RecordJsonWriter.WriterOptions);

    /// <summary>Writes the record of <paramref name="context"/>'s request; the returned record owns the pooled JSON buffer.</summary>
    public static IncomingRecord Write(HttpContext context, CaptureSettings settings, in IncomingFacts facts)
    {
        var current = t_current ??= new IncomingRecordWriter();
        // Never re-entered in practice (nothing here calls app code); a nested call gets its own writer.
        if (current._busy) current = new IncomingRecordWriter();
        return current.WriteCore(context, settings, facts);
    }

    /// <summary>
    /// Takes back a record's buffer once its JSON has been copied (<see cref="Transport.TelemetryQueue"/>
    /// compresses it on this thread): the thread's next record is written into it, still in this core's
    /// cache, instead of a buffer from the shared pool (returning it to the pool instead measured 0.991×
    /// in <c>bench/ab.sh records</c>, +0.65 µs per request). Buffers over 64 KiB go back to the pool.
    /// </summary>
    public static void Recycle(IncomingRecord record)
    {
        if (record.Buffer is not { Length: > 0 } buffer) return;
        if (buffer.Length <= 64 * 1024 && t_current is { _busy: false } writer && writer._output.TryAdopt(buffer)) return;
        CapturePool.Shared.Return(buffer);
    }

    private IncomingRecord WriteCore(HttpContext context, CaptureSettings settings, in IncomingFacts facts)
    {
        _busy = true;
        try
        {
            _output.Reserve(2048 + (facts.RequestBody?.Content.Length ?? 0) + (facts.ResponseBody?.Content.Length ?? 0));
            WriteRecord(context, settings, facts);
            var (buffer, length) = _output.Detach();
            return IncomingRecord.FromJson(buffer, length);
        }
        catch
        {
            _output.Release();
            _json.Reset(_output);
            throw;
        }
        finally
        {
            _busy = false;
        }
    }

    private void WriteRecord(HttpContext context, CaptureSettings settings, in IncomingFacts facts)
    {
        var request = context.Request;
        var response = context.Response;

        Literal("{\"id\":\""u8);
        facts.Id.TryFormat(_output.GetSpan(36), out var n, "D");
        _output.Advance(n);
        Literal("\""u8);
        Literal(s_direction);
        Literal(",\"timestamp\":\""u8);
        _output.Advance(_timestamps.Format(facts.Timestamp, _output.GetSpan(TimestampFormatter.MaxLength)));
        Literal("\",\"durationNs\":"u8);
        Number(facts.DurationNs);
        Literal(",\"method\":"u8);
        String(request.Method);
        Literal(",\"routeTemplate\":"u8);
        String(facts.Route);
        Literal(",\"path\":"u8);
        var path = request.Path.Value ?? "/";
        String(path.AsSpan(0, Math.Min(path.Length, MaxPathLength)));
        if (request.QueryString.HasValue)
        {
            Literal(",\"query\":"u8);
            String(settings.Query.Redact(request.QueryString.Value!));
        }
        if (request.Host.Value is { } host)
        {
            Literal(",\"host\":"u8);
            String(host);
        }
        Literal(",\"status\":"u8);
        Number(facts.Status);
        Literal(",\"requestHeaders\":"u8);
        Headers(request.Headers, settings.Headers);
        Literal(",\"responseHeaders\":"u8);
        Headers(response.Headers, settings.Headers);

        if (facts.RequestBody is not null || facts.ResponseBody is not null)
        {
            var start = BeginSegment();
            if (facts.RequestBody is { } requestBody) _records.WriteRequestBody(_json, requestBody);
            if (facts.ResponseBody is { } responseBody) _records.WriteResponseBody(_json, responseBody);
            EndSegment(start);
        }

        Literal(",\"requestSize\":"u8);
        Number(facts.RequestSize);
        Literal(",\"responseSize\":"u8);
        Number(facts.ResponseSize);
        if (context.Connection.RemoteIpAddress is { } ip)
        {
            Literal(",\"clientIp\":\""u8);
            if (!ip.TryFormat(_output.GetSpan(128), out n)) throw new InvalidOperationException("The client address did not fit.");
            _output.Advance(n);
            Literal("\""u8);
        }
        var userAgent = request.Headers.UserAgent;
        if (userAgent.Count > 0)
        {
            Literal(",\"userAgent\":"u8);
            // StringValues.ToString() semantics (',' between non-empty values), as the record always had; several User-Agent values are rare.
            var text = userAgent.Count == 1 ? userAgent[0] ?? "" : userAgent.ToString();
            String(text.AsSpan(0, Math.Min(text.Length, MaxHeaderValueLength)));
        }

        if (facts.Consumer is not null || facts.Errors is not null || facts.ValidationErrors is not null || facts.Outgoing is not null)
        {
            var start = BeginSegment();
            _records.WriteAttachments(_json, facts.Consumer, facts.Errors, facts.ValidationErrors, facts.Outgoing);
            EndSegment(start);
        }

        Literal(",\"traceId\":\""u8);
        if (facts.TraceId is { } traceId) Ascii(traceId);
        else
        {
            Hex(facts.RandomTraceHigh);
            Hex(facts.RandomTraceLow);
        }
        Literal("\",\"spanId\":\""u8);
        if (facts.SpanId is { } spanId) Ascii(spanId);
        else Hex((ulong)Random.Shared.NextInt64(long.MinValue, long.MaxValue) | 1); // as ActivitySpanId.CreateRandom, without its string
        Literal("\"}"u8);
    }

    // A run of members written by the Utf8JsonWriter as an object of its own ({...}); its braces
    // become the separating comma and nothing, so the members continue the hand-written object.
    private int BeginSegment()
    {
        var start = _output.Length;
        _json.Reset(_output);
        _json.WriteStartObject();
        return start;
    }

    private void EndSegment(int start)
    {
        _json.WriteEndObject();
        _json.Flush();
        _output.WrittenMutable[start] = (byte)',';
        _output.Unwrite(1); // the closing brace
    }

    private void Headers(IHeaderDictionary headers, HeaderRedactor redactor)
    {
        Literal("{"u8);
        var separator = false;
        foreach (var (name, values) in headers)
        {
            if (separator) Literal(","u8);
            separator = true;
            if (Name(name, redactor)) String(RedactionDefaults.RedactedValue);
            else Joined(values);
        }
        Literal("}"u8);
    }

    // Writes "name": and returns whether the header's value is redacted (from the cache when this name was seen).
    private bool Name(string name, HeaderRedactor redactor)
    {
        var hash = NameHash(name);
        ref var first = ref _names[hash & (NameCacheSize - 1)];
        if (first.Matches(name, redactor))
        {
            Literal(first.Prefix);
            return first.Redact;
        }
        ref var second = ref _names[(hash >> 7) & (NameCacheSize - 1)];
        if (second.Matches(name, redactor))
        {
            Literal(second.Prefix);
            return second.Redact;
        }
        var start = _output.Length;
        String(name, (byte)':');
        var redact = redactor.ShouldRedact(name);
        if (_output.Length - start <= 64 && (first.Name is null || second.Name is null)) // long names are not kept
        {
            var entry = new NameEntry(name, redactor, _output.Written[start..].ToArray(), redact);
            if (first.Name is null) first = entry;
            else second = entry;
        }
        return redact;
    }

    // A cheap hash of a header name's text: its length and four of its characters, mixed (names differ in length or
    // in these characters far more often than not; a collision only costs the second slot, or a miss).
    private static int NameHash(string name)
    {
        var n = name.Length;
        if (n == 0) return 0;
        var h = (uint)n ^ ((uint)name[0] << 6) ^ ((uint)name[n >> 1] << 13) ^ ((uint)name[(n * 3) >> 2] << 19) ^ ((uint)name[n - 1] << 25);
        return (int)((h * 0x9E3779B1u) >> 14);
    }

    private readonly record struct NameEntry(string Name, HeaderRedactor Redactor, byte[] Prefix, bool Redact)
    {
        // The same app's rules (redactor) and the same text (string.Equals answers the server's known names, the same instance, without comparing).
        public bool Matches(string name, HeaderRedactor redactor) => ReferenceEquals(Redactor, redactor) && string.Equals(Name, name);
    }

    // The values joined with ", " (as string.Join), cut to MaxHeaderValueLength characters, as one JSON string.
    private void Joined(StringValues values)
    {
        if (values.Count == 1)
        {
            var single = values[0] ?? "";
            String(single.AsSpan(0, Math.Min(single.Length, MaxHeaderValueLength)));
            return;
        }
        Literal("\""u8);
        var budget = MaxHeaderValueLength;
        for (var i = 0; i < values.Count && budget > 0; i++)
        {
            if (i > 0)
            {
                var separator = ", ".AsSpan(0, Math.Min(2, budget));
                Content(separator);
                budget -= separator.Length;
            }
            var value = (values[i] ?? "").AsSpan();
            value = value[..Math.Min(value.Length, budget)];
            Content(value);
            budget -= value.Length;
        }
        Literal("\""u8);
    }

    // A JSON string (then the optional byte after it, e.g. ':' after a member name). UTF-16 is
    // transcoded straight into the output between the quotes; only if a byte that must be escaped
    // is present (rare in headers, paths and routes) is the rest escaped.
    private void String(ReadOnlySpan<char> value, byte then = 0)
    {
        var span = _output.GetSpan((value.Length * 3) + 3);
        span[0] = (byte)'"';
        Utf8.FromUtf16(value, span[1..], out _, out var written, replaceInvalidSequences: true);
        var at = span.Slice(1, written).IndexOfAny(s_mustEscape);
        if (at < 0)
        {
            span[1 + written] = (byte)'"';
            var n = written + 2;
            if (then != 0) span[n++] = then;
            _output.Advance(n);
            return;
        }
        _output.Advance(1 + at);
        EscapeRest(span.Slice(1 + at, written - at));
        if (then == 0) Literal("\""u8);
        else Literal([(byte)'"', then]);
    }

    // UTF-16 text as (part of) the inside of a JSON string.
    private void Content(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty) return;
        var span = _output.GetSpan(value.Length * 3);
        Utf8.FromUtf16(value, span, out _, out var written, replaceInvalidSequences: true);
        var at = span[..written].IndexOfAny(s_mustEscape);
        if (at < 0)
        {
            _output.Advance(written);
            return;
        }
        _output.Advance(at);
        EscapeRest(span[at..written]);
    }

    // The transcoded bytes still sit in the output buffer past its end: copy them aside before
    // escaping them into it (the buffer may grow and move).
    private void EscapeRest(ReadOnlySpan<byte> rest)
    {
        if (_scratch.Length < rest.Length) _scratch = new byte[Math.Max(rest.Length, _scratch.Length * 2)];
        rest.CopyTo(_scratch);
        JsonStringEscaper.Escape(_scratch.AsSpan(0, rest.Length), _output);
    }

    private void Number(long value)
    {
        Utf8Formatter.TryFormat(value, _output.GetSpan(20), out var n);
        _output.Advance(n);
    }

    // Hex ids (ActivityTraceId/ActivitySpanId keep them as strings): ASCII, nothing to escape.
    private void Ascii(string value)
    {
        System.Text.Ascii.FromUtf16(value, _output.GetSpan(value.Length), out var n);
        _output.Advance(n);
    }

    // 16 lower-case hex digits, most significant first (as "x16").
    private void Hex(ulong value)
    {
        var digits = "0123456789abcdef"u8;
        var span = _output.GetSpan(16);
        for (var i = 15; i >= 0; i--)
        {
            span[i] = digits[(int)(value & 0xF)];
            value >>= 4;
        }
        _output.Advance(16);
    }

    private void Literal(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_output.GetSpan(bytes.Length));
        _output.Advance(bytes.Length);
    }
}
