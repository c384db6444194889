using System.Text.Encodings.Web;
using System.Text.Json;
using Sightline.AspNetCore.Capture;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Transport;

/// <summary>
/// Writes request records as the wire JSON of <see cref="RequestRecord"/> (the same members, names
/// and order as <see cref="WireJsonContext"/>, nulls omitted), by hand, and the captured bodies of
/// incoming records for <see cref="IncomingRecordWriter"/>: body text from pooled UTF-8, never a
/// UTF-16 string, escaped with a vectorized copy (<see cref="JsonStringEscaper"/>: only <c>"</c>, <c>\</c> and
/// control characters are escaped; the result parses to the same string as the serializer's own
/// output), or copied as is when the capture path already wrote it escaped (<see cref="Utf8Body.Escaped"/>);
/// a complete JSON body is copied as a raw value into the wire's <c>json</c> member (<see cref="Utf8Body.IsJson"/>).
/// One instance per thread (it keeps a scratch buffer).
/// </summary>
internal sealed class RecordJsonWriter
{
    private static readonly JsonEncodedText s_id = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText s_direction = JsonEncodedText.Encode("direction");
    private static readonly JsonEncodedText s_parentId = JsonEncodedText.Encode("parentId");
    private static readonly JsonEncodedText s_timestamp = JsonEncodedText.Encode("timestamp");
    private static readonly JsonEncodedText s_durationNs = JsonEncodedText.Encode("durationNs");
    private static readonly JsonEncodedText s_method = JsonEncodedText.Encode("method");
    private static readonly JsonEncodedText s_routeTemplate = JsonEncodedText.Encode("routeTemplate");
    private static readonly JsonEncodedText s_path = JsonEncodedText.Encode("path");
    private static readonly JsonEncodedText s_query = JsonEncodedText.Encode("query");
    private static readonly JsonEncodedText s_host = JsonEncodedText.Encode("host");
    private static readonly JsonEncodedText s_url = JsonEncodedText.Encode("url");
    private static readonly JsonEncodedText s_status = JsonEncodedText.Encode("status");
    private static readonly JsonEncodedText s_requestHeaders = JsonEncodedText.Encode("requestHeaders");
    private static readonly JsonEncodedText s_responseHeaders = JsonEncodedText.Encode("responseHeaders");
    private static readonly JsonEncodedText s_requestBody = JsonEncodedText.Encode("requestBody");
    private static readonly JsonEncodedText s_responseBody = JsonEncodedText.Encode("responseBody");
    private static readonly JsonEncodedText s_requestSize = JsonEncodedText.Encode("requestSize");
    private static readonly JsonEncodedText s_responseSize = JsonEncodedText.Encode("responseSize");
    private static readonly JsonEncodedText s_clientIp = JsonEncodedText.Encode("clientIp");
    private static readonly JsonEncodedText s_userAgent = JsonEncodedText.Encode("userAgent");
    private static readonly JsonEncodedText s_consumer = JsonEncodedText.Encode("consumer");
    private static readonly JsonEncodedText s_errors = JsonEncodedText.Encode("errors");
    private static readonly JsonEncodedText s_validationErrors = JsonEncodedText.Encode("validationErrors");
    private static readonly JsonEncodedText s_outgoing = JsonEncodedText.Encode("outgoing");
    private static readonly JsonEncodedText s_traceId = JsonEncodedText.Encode("traceId");
    private static readonly JsonEncodedText s_spanId = JsonEncodedText.Encode("spanId");
    private static readonly JsonEncodedText s_service = JsonEncodedText.Encode("service");
    private static readonly JsonEncodedText s_content = JsonEncodedText.Encode("content");
    private static readonly JsonEncodedText s_json = JsonEncodedText.Encode("json");
    private static readonly JsonEncodedText s_contentType = JsonEncodedText.Encode("contentType");
    private static readonly JsonEncodedText s_truncated = JsonEncodedText.Encode("truncated");
    private static readonly JsonEncodedText s_omitted = JsonEncodedText.Encode("omitted");

    /// <summary>
    /// The options of every writer of record JSON (<see cref="IncomingRecordWriter"/>, <see cref="BatchBuilder"/>): only
    /// <c>"</c>, <c>\</c> and control characters are escaped, so the output parses to the same values as the default
    /// (HTML-safe) escaping and is smaller and faster to write and compress.
    /// </summary>
    internal static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private byte[] _scratch = [];

    /// <summary>Writes a captured incoming request (already its wire JSON, written on the request thread).</summary>
    public static void Write(Utf8JsonWriter writer, IncomingRecord incoming) => writer.WriteRawValue(incoming.Json, skipInputValidation: true);

    /// <summary>Writes the <c>requestBody</c> member (for <see cref="IncomingRecordWriter"/>).</summary>
    internal void WriteRequestBody(Utf8JsonWriter writer, Utf8Body body) => Body(writer, s_requestBody, body);

    /// <summary>Writes the <c>responseBody</c> member (for <see cref="IncomingRecordWriter"/>).</summary>
    internal void WriteResponseBody(Utf8JsonWriter writer, Utf8Body body) => Body(writer, s_responseBody, body);

    /// <summary>Writes a request record (an outgoing call, or a standalone error or call record).</summary>
    public void Write(Utf8JsonWriter w, RequestRecord r)
    {
        w.WriteStartObject();
        w.WriteString(s_id, r.Id);
        String(w, s_direction, r.Direction);
        if (r.ParentId is { } parentId) w.WriteString(s_parentId, parentId);
        w.WriteString(s_timestamp, r.Timestamp);
        w.WriteNumber(s_durationNs, r.DurationNs);
        String(w, s_method, r.Method);
        String(w, s_routeTemplate, r.RouteTemplate);
        String(w, s_path, r.Path);
        String(w, s_query, r.Query);
        String(w, s_host, r.Host);
        String(w, s_url, r.Url);
        w.WriteNumber(s_status, r.Status);
        Headers(w, s_requestHeaders, r.RequestHeaders);
        Headers(w, s_responseHeaders, r.ResponseHeaders);
        Body(w, s_requestBody, r.RequestBody);
        Body(w, s_responseBody, r.ResponseBody);
        w.WriteNumber(s_requestSize, r.RequestSize);
        w.WriteNumber(s_responseSize, r.ResponseSize);
        String(w, s_clientIp, r.ClientIp);
        String(w, s_userAgent, r.UserAgent);
        WriteAttachments(w, r.Consumer, r.Errors, r.ValidationErrors, r.Outgoing);
        String(w, s_traceId, r.TraceId);
        String(w, s_spanId, r.SpanId);
        if (r.Service is { } service)
        {
            w.WritePropertyName(s_service);
            JsonSerializer.Serialize(w, service, WireJsonContext.Default.ServiceInfo);
        }
        w.WriteEndObject();
    }

    /// <summary>Writes the <c>consumer</c>, <c>errors</c>, <c>validationErrors</c> and <c>outgoing</c> members that are set (also for <see cref="IncomingRecordWriter"/>).</summary>
    internal void WriteAttachments(Utf8JsonWriter w, ConsumerInfo? consumer, List<ErrorInfo>? errors, List<ValidationFailure>? validationErrors,
        List<RequestRecord>? outgoing)
    {
        if (consumer is not null)
        {
            w.WritePropertyName(s_consumer);
            JsonSerializer.Serialize(w, consumer, WireJsonContext.Default.ConsumerInfo);
        }
        if (errors is not null)
        {
            w.WritePropertyName(s_errors);
            JsonSerializer.Serialize(w, errors, WireJsonContext.Default.ListErrorInfo);
        }
        if (validationErrors is not null)
        {
            w.WritePropertyName(s_validationErrors);
            JsonSerializer.Serialize(w, validationErrors, WireJsonContext.Default.ListValidationFailure);
        }
        if (outgoing is not null)
        {
            w.WriteStartArray(s_outgoing);
            foreach (var child in outgoing) Write(w, child);
            w.WriteEndArray();
        }
    }

    private static void String(Utf8JsonWriter w, JsonEncodedText name, string? value)
    {
        if (value is not null) w.WriteString(name, value);
    }

    private static void Headers(Utf8JsonWriter w, JsonEncodedText name, Dictionary<string, string>? headers)
    {
        if (headers is null) return;
        w.WriteStartObject(name);
        foreach (var (key, value) in headers)
        {
            if (value is null) w.WriteNull(key);
            else w.WriteString(key, value);
        }
        w.WriteEndObject();
    }

    private void Body(Utf8JsonWriter w, JsonEncodedText name, Utf8Body body)
    {
        w.WriteStartObject(name);
        if (body.IsJson)
        {
            w.WritePropertyName(s_json);
            w.WriteRawValue(body.Content, skipInputValidation: true); // a complete JSON value (BodyCapture.CanEmbed)
        }
        else if (body.HasContent)
        {
            w.WritePropertyName(s_content);
            if (body.Escaped) w.WriteRawValue(body.Content, skipInputValidation: true); // already a JSON string literal
            else WriteUtf8String(w, body.Content);
        }
        String(w, s_contentType, body.ContentType);
        w.WriteBoolean(s_truncated, body.Truncated);
        if (!body.HasContent) String(w, s_omitted, body.Omitted);
        w.WriteEndObject();
    }

    private static void Body(Utf8JsonWriter w, JsonEncodedText name, CapturedBody? body)
    {
        if (body is null) return;
        w.WriteStartObject(name);
        if (body.Json is { } json)
        {
            w.WritePropertyName(s_json);
            w.WriteRawValue(json, skipInputValidation: false);
        }
        String(w, s_content, body.Content);
        String(w, s_contentType, body.ContentType);
        w.WriteBoolean(s_truncated, body.Truncated);
        String(w, s_omitted, body.Omitted);
        w.WriteEndObject();
    }

    /// <summary>Writes valid UTF-8 text as a JSON string value.</summary>
    internal void WriteUtf8String(Utf8JsonWriter w, ReadOnlySpan<byte> utf8)
    {
        var worst = JsonStringEscaper.MaxEscapedLength(utf8.Length) + 2;
        if (_scratch.Length < worst) _scratch = new byte[Math.Max(worst, _scratch.Length * 2)];
        _scratch[0] = (byte)'"';
        var n = 1 + JsonStringEscaper.Escape(utf8, _scratch.AsSpan(1));
        _scratch[n++] = (byte)'"';
        w.WriteRawValue(_scratch.AsSpan(0, n), skipInputValidation: true);
    }
}
