using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Errors;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// Records every outgoing HTTP call as an outgoing record: method, host, URL with the query
/// redacted, status, duration, redacted headers, sizes, and the error when the call failed (DNS,
/// refused, timeout, cancellation — a failed call is a full record). Made inside a request, the
/// call is attached to it (<c>parentId</c>, same W3C trace id, sent as <c>traceparent</c> when the app
/// has no tracing of its own); made outside any request, it is sent as a standalone record.
/// The call itself is never changed otherwise, and exceptions propagate untouched.
/// </summary>
public sealed class SightlineHttpHandler : DelegatingHandler
{
    private readonly CaptureSettings _settings;
    private readonly ITelemetrySink _sink;
    private readonly IHttpContextAccessor? _accessor;
    private readonly TimeProvider _time;

    internal SightlineHttpHandler(CaptureSettings settings, ITelemetrySink sink, IHttpContextAccessor? accessor, TimeProvider time)
    {
        _settings = settings;
        _sink = sink;
        _accessor = accessor;
        _time = time;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_settings.Enabled) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var feature = _accessor?.HttpContext?.Features.Get<SightlineFeature>();
        if (feature is { Sampled: false }) feature = null;
        var traceId = feature?.TraceId ?? Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString();
        var spanId = ActivitySpanId.CreateRandom().ToHexString();
        if (!request.Headers.Contains("traceparent"))
            request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{spanId}-01");

        var timestamp = _time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage? response = null;
        Exception? failure = null;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response;
        }
        catch (Exception e) when (Remember(e, out failure))
        {
            throw; // unreachable: Remember returns false, the exception propagates untouched
        }
        finally
        {
            try
            {
                Record(request, response, failure, feature, traceId, spanId, timestamp, Stopwatch.GetElapsedTime(started));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // never affect the app's call
            }
        }
    }

    private static bool Remember(Exception e, out Exception? failure)
    {
        failure = e;
        return false;
    }

    private void Record(HttpRequestMessage request, HttpResponseMessage? response, Exception? failure, SightlineFeature? feature,
        string traceId, string spanId, DateTimeOffset timestamp, TimeSpan elapsed)
    {
        var uri = request.RequestUri;
        var record = new RequestRecord
        {
            Id = Guid.CreateVersion7(),
            Direction = WireConstants.DirectionOutgoing,
            ParentId = feature?.RecordId,
            Timestamp = timestamp,
            DurationNs = elapsed.Ticks * 100,
            Method = request.Method.Method,
            Host = uri?.IsAbsoluteUri == true ? uri.Authority : null,
            Path = uri?.IsAbsoluteUri == true ? uri.AbsolutePath : uri?.OriginalString ?? "",
            Url = uri?.IsAbsoluteUri == true ? RedactedUrl(uri) : null,
            Status = response is null ? 0 : (int)response.StatusCode,
            RequestHeaders = Headers(request.Headers, request.Content?.Headers),
            ResponseHeaders = response is null ? null : Headers(response.Headers, response.Content?.Headers),
            RequestSize = request.Content?.Headers.ContentLength ?? 0,
            ResponseSize = response?.Content?.Headers.ContentLength ?? 0,
            TraceId = traceId,
            SpanId = spanId,
        };
        record.RouteTemplate = record.Host is null ? record.Path : record.Host;
        if (failure is not null) record.Errors = [ErrorConverter.Convert(failure, handled: false, source: "outgoing")];
        if (feature is not null) feature.AddOutgoing(record);
        else _sink.TryEnqueue(record);
    }

    private string RedactedUrl(Uri uri)
    {
        var left = uri.GetLeftPart(UriPartial.Path);
        return string.IsNullOrEmpty(uri.Query) ? left : left + "?" + _settings.Query.Redact(uri.Query.TrimStart('?'));
    }

    private Dictionary<string, string> Headers(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? content)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Add(headers);
        if (content is not null) Add(content);
        return result;

        void Add(System.Net.Http.Headers.HttpHeaders source)
        {
            foreach (var (name, values) in source.NonValidated)
                result[name] = _settings.Headers.ShouldRedact(name) ? RedactionDefaults.RedactedValue : string.Join(", ", values);
        }
    }
}
