using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>
/// Records every outgoing HTTP call as an outgoing record: method, host, URL with the query
/// redacted, status, duration (until the response headers arrive), redacted headers, redacted and
/// capped bodies, sizes, and the error when the call failed (DNS, refused, timeout, cancellation — a
/// failed call is a full record). Made inside a sampled request, the call is attached to it (<c>parentId</c>,
/// same W3C trace id, sent as <c>traceparent</c> when the app has no tracing of its own); made outside
/// any recorded request (background work, or a request that was not sampled: the SDK keeps no per-request
/// state for those), it is a standalone record, sampled at <see cref="SightlineOptions.SampleRate"/> like
/// requests; inside a request on an excluded path, it is not recorded. Bodies are teed, never buffered: the response
/// reaches the caller as it arrives, and its record is finished when the caller has read or disposed it.
/// The call itself is never changed otherwise, and exceptions propagate untouched.
/// </summary>
public sealed class SightlineHttpHandler : DelegatingHandler
{
    private const int MaxHeaderValueLength = 4096;
    private readonly CaptureSettings _settings;
    private readonly OutgoingSettings _outgoing;
    private readonly ITelemetrySink _sink;
    private readonly TimeProvider _time;

    internal SightlineHttpHandler(CaptureSettings settings, OutgoingSettings outgoing, ITelemetrySink sink, TimeProvider time)
    {
        _settings = settings;
        _outgoing = outgoing;
        _sink = sink;
        _time = time;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_settings.Enabled) return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var original = request.Content;
        var call = Begin(request);
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
            End(call, request, original, response, failure, started);
        }
    }

    /// <inheritdoc />
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (!_settings.Enabled) return base.Send(request, cancellationToken);
        var original = request.Content;
        var call = Begin(request);
        var started = Stopwatch.GetTimestamp();
        HttpResponseMessage? response = null;
        Exception? failure = null;
        try
        {
            response = base.Send(request, cancellationToken);
            return response;
        }
        catch (Exception e) when (Remember(e, out failure))
        {
            throw; // unreachable
        }
        finally
        {
            End(call, request, original, response, failure, started);
        }
    }

    /// <summary>Links the call to the current request (or none), sends <c>traceparent</c>, and tees the request body.</summary>
    private OutgoingCall? Begin(HttpRequestMessage request)
    {
        var original = request.Content;
        try
        {
            // Inside a sampled request: attached to it. Inside an excluded one: not recorded. Outside any recorded
            // request: sampled like requests, so SampleRate bounds outgoing records too.
            var feature = RequestScope.Current;
            if (feature is null ? !_settings.ShouldSample() : !feature.Sampled) return null;
            var traceId = feature?.TraceId ?? Activity.Current?.TraceId.ToHexString() ?? ActivityTraceId.CreateRandom().ToHexString();
            var spanId = ActivitySpanId.CreateRandom().ToHexString();
            if (!request.Headers.Contains("traceparent"))
                request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{spanId}-01");
            var call = new OutgoingCall(_settings, _outgoing, _sink, feature, new RequestRecord
            {
                Id = Guid.CreateVersion7(),
                Direction = WireConstants.DirectionOutgoing,
                ParentId = feature?.RecordId,
                Timestamp = _time.GetUtcNow(),
                TraceId = traceId,
                SpanId = spanId,
            });
            ObserveRequestBody(request, call);
            return call;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            request.Content = original; // never affect the app's call
            return null;
        }
    }

    /// <summary>Puts the original request content back and records the outcome (at once, or when the response body is done).</summary>
    private void End(OutgoingCall? call, HttpRequestMessage request, HttpContent? original, HttpResponseMessage? response, Exception? failure, long started)
    {
        if (!ReferenceEquals(request.Content, original)) request.Content = original;
        if (call is null) return;
        try
        {
            OnResponse(call, request, response, failure, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            call.Complete(); // never affect the app's call; still record what is known
        }
    }

    private static bool Remember(Exception e, out Exception? failure)
    {
        failure = e;
        return false;
    }

    private void ObserveRequestBody(HttpRequestMessage request, OutgoingCall call)
    {
        var content = request.Content;
        if (content is null) return;
        var length = content.Headers.ContentLength;
        call.Record.RequestSize = length ?? 0;
        call.RequestContentType = content.Headers.ContentType?.ToString();
        call.RequestCapturable = _settings.IsCapturedContentType(call.RequestContentType);
        if (!_outgoing.CaptureRequestBody || length == 0 || (!call.RequestCapturable && length is not null)) return;
        var body = new OutgoingBody(call.RequestCapturable ? _settings.MaxBodySize : 0);
        call.RequestBody = body;
        if (content is ByteArrayContent or ReadOnlyMemoryContent)
        {
            // Already in memory (StringContent, FormUrlEncodedContent, …): read once now, nothing to wrap.
            content.CopyTo(new TeeWriteStream(Stream.Null, body), null, CancellationToken.None);
            return;
        }
        request.Content = new ObservedRequestContent(content, body);
    }

    private void OnResponse(OutgoingCall call, HttpRequestMessage request, HttpResponseMessage? response, Exception? failure, TimeSpan elapsed)
    {
        var record = call.Record;
        var uri = request.RequestUri;
        record.DurationNs = elapsed.Ticks * 100;
        record.Method = request.Method.Method;
        record.Host = uri?.IsAbsoluteUri == true ? uri.Authority : null;
        record.Path = uri?.IsAbsoluteUri == true ? uri.AbsolutePath : uri?.OriginalString ?? "";
        record.Url = uri?.IsAbsoluteUri == true ? RedactedUrl(uri) : null;
        record.RouteTemplate = record.Host ?? record.Path;
        record.RequestHeaders = Headers(request.Headers, request.Content?.Headers);
        if (failure is not null || response is null)
        {
            if (failure is not null) call.Fail(failure);
            call.Complete();
            return;
        }

        record.Status = (int)response.StatusCode;
        var content = response.Content;
        record.ResponseHeaders = Headers(response.Headers, content?.Headers);
        var length = content?.Headers.ContentLength;
        record.ResponseSize = length ?? 0;
        call.ResponseContentType = content?.Headers.ContentType?.ToString();
        call.ResponseCapturable = _settings.IsCapturedContentType(call.ResponseContentType);
        call.CaptureResponse = _outgoing.CaptureResponseBody;
        if (content is null || !_outgoing.CaptureResponseBody || length == 0 || (!call.ResponseCapturable && length is not null)
            || request.Method == HttpMethod.Head || response.StatusCode is System.Net.HttpStatusCode.NoContent or System.Net.HttpStatusCode.NotModified)
        {
            call.Complete();
            return;
        }

        var body = new OutgoingBody(call.ResponseCapturable ? _settings.MaxBodySize : 0);
        call.ResponseBody = body;
        if (content is ByteArrayContent or ReadOnlyMemoryContent)
        {
            // Already in memory (an inner handler buffered it): read it once now and record at once.
            content.CopyTo(new TeeWriteStream(Stream.Null, body), null, CancellationToken.None);
            call.Complete();
            return;
        }
        response.Content = new ObservedResponseContent(content, call, body);
    }

    private string RedactedUrl(Uri uri)
    {
        var left = uri.GetLeftPart(UriPartial.Path);
        return string.IsNullOrEmpty(uri.Query) ? left : left + "?" + _settings.Query.Redact(uri.Query.TrimStart('?'));
    }

    private Dictionary<string, string> Headers(System.Net.Http.Headers.HttpHeaders headers, System.Net.Http.Headers.HttpHeaders? content)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        Add(result, headers);
        if (content is not null) Add(result, content);
        return result;
    }

    private void Add(Dictionary<string, string> result, System.Net.Http.Headers.HttpHeaders source)
    {
        foreach (var (name, values) in source.NonValidated)
        {
            var value = _outgoing.Headers.ShouldRedact(name) ? RedactionDefaults.RedactedValue : string.Join(", ", values);
            result[name] = value.Length <= MaxHeaderValueLength ? value : value[..MaxHeaderValueLength];
        }
    }
}
