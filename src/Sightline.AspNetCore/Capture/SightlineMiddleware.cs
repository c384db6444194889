using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Sightline.AspNetCore.Diagnostics;
using Sightline.AspNetCore.Errors;
using Sightline.AspNetCore.Metrics;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Capture;

/// <summary>
/// Observes every request: metrics for all of them, a redacted record for the sampled ones. It
/// never changes what the app does: exceptions are observed with a filter that returns false (so
/// they propagate untouched), bodies are teed not buffered, and capture failures are swallowed.
/// </summary>
internal sealed class SightlineMiddleware(
    RequestDelegate next,
    CaptureSettings settings,
    MetricsAggregator metrics,
    ITelemetrySink sink,
    TimeProvider time,
    ILogger<SightlineMiddleware> logger,
    SightlineErrorReporter? reporter = null)
{
    /// <summary>Route template recorded for requests that matched no endpoint (never the raw path).</summary>
    public const string UnmatchedRoute = "(unmatched)";

    // Read on every request, written once per endpoint: lock-free reads.
    private readonly ConcurrentDictionary<Endpoint, string> _routes = new(ReferenceEqualityComparer.Instance);

    public Task InvokeAsync(HttpContext context)
    {
        if (!settings.Enabled) return next(context);
        if (settings.IsExcluded(context.Request.Path)) return InvokeExcluded(context);
        return InvokeObserved(context);
    }

    // Outgoing calls and errors made inside an excluded request are not recorded either.
    private async Task InvokeExcluded(HttpContext context)
    {
        var scope = RequestScope.EnterExcluded();
        try
        {
            await next(context);
        }
        finally
        {
            RequestScope.End(scope);
        }
    }

    private async Task InvokeObserved(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var sampled = settings.ShouldSample();
        var timestamp = sampled ? time.GetUtcNow() : default; // only records carry a start time
        SightlineFeature? feature = null;
        if (sampled)
        {
            feature = SightlineHttpContextExtensions.GetOrCreateFeature(context, timestamp);
            feature.Sampled = true;
            feature.CaptureLoggedErrors = settings.CaptureLoggedErrors;
            feature.Reporter = reporter;
            RequestScope.Enter(feature); // for outgoing calls and context-less error reporting; restored when this method returns
            // W3C ids from the request's Activity; generated when the app has no tracing listener.
            if (Activity.Current is { } activity) feature.TraceId = activity.TraceId.ToHexString(); // the Activity keeps it as a string
            else feature.UseRandomTraceId();
        }

        var request = context.Request;
        var contentLength = request.ContentLength; // read once: some servers parse the header on every read
        var originalRequestBody = request.Body;
        IRequestBodyPipeFeature? originalRequestPipe = null;
        var originalResponseFeature = context.Features.Get<IHttpResponseBodyFeature>();
        RequestBodyTee? requestTee = null;
        ResponseBodyTee? responseTee = null;
        try
        {
            var captureRequest = sampled && settings.CaptureRequestBody && settings.IsCapturedContentType(request.ContentType);
            if (contentLength is not 0 && (captureRequest || contentLength is null))
            {
                // The pipe reader is taken before Request.Body changes: after, the server would wrap the new stream in one.
                originalRequestPipe = context.Features.Get<IRequestBodyPipeFeature>();
                requestTee = RequestBodyTee.Rent(originalRequestBody, originalRequestPipe, settings.MaxBodySize, captureRequest);
                request.Body = requestTee;
                if (requestTee.HasReader) context.Features.Set<IRequestBodyPipeFeature>(requestTee);
            }
            if (originalResponseFeature is not null)
            {
                responseTee = ResponseBodyTee.Rent(originalResponseFeature, sampled && settings.CaptureResponseBody ? settings.MaxBodySize : 0);
                context.Features.Set<IHttpResponseBodyFeature>(responseTee);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            SightlineLog.CaptureFailed(logger, e, "(setup)");
        }

        var escaped = false;
        try
        {
            await next(context);
        }
        catch (Exception e) when (Observe(context, feature, e, ref escaped))
        {
            throw; // unreachable: Observe returns false so the exception propagates untouched
        }
        finally
        {
            if (requestTee is not null)
            {
                request.Body = originalRequestBody;
                if (requestTee.HasReader) context.Features.Set(originalRequestPipe);
            }
            if (responseTee is not null) context.Features.Set(originalResponseFeature);
            try
            {
                Complete(context, feature, started, timestamp, escaped, requestTee, responseTee);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                SightlineLog.CaptureFailed(logger, e, context.Request.Path.Value ?? "");
            }
            finally
            {
                requestTee?.Release();
                responseTee?.Release();
                if (feature is not null) RequestScope.End(feature); // work the request left running is outside it from now on
            }
        }
    }

    private static bool Observe(HttpContext context, SightlineFeature? feature, Exception exception, ref bool escaped)
    {
        escaped = true;
        try
        {
            var target = feature ?? SightlineHttpContextExtensions.GetOrCreateFeature(context);
            if (target.MarkSeen(exception)) target.AddError(ErrorConverter.Convert(exception, handled: false, source: "unhandled"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // never interfere with the app's exception
        }
        return false;
    }

    private void Complete(HttpContext context, SightlineFeature? feature, long started, DateTimeOffset timestamp, bool escaped,
        RequestBodyTee? requestTee, ResponseBodyTee? responseTee)
    {
        var elapsedTicks = Stopwatch.GetElapsedTime(started).Ticks;
        var durationMs = elapsedTicks / (double)TimeSpan.TicksPerMillisecond;
        var request = context.Request;
        var response = context.Response;
        var status = escaped && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
        var route = RouteOf(context);
        var requestSize = Math.Max(request.ContentLength ?? 0, requestTee?.BytesRead ?? 0);
        var responseSize = responseTee is { BytesWritten: > 0 } ? responseTee.BytesWritten : response.ContentLength ?? 0;
        feature ??= context.Features.Get<SightlineFeature>();
        var hints = context.Features.Get<ISightlineRequestHints>();
        var consumer = ResolveConsumer(context, feature, hints);

        metrics.Record(route, request.Method, status, consumer, durationMs, requestSize, responseSize, escaped || status >= 500);

        if (hints?.SecurityEvent is { } securityEvent)
            sink.TryEnqueue(securityEvent);

        if (feature is null || !settings.ShouldRecord(feature)) return;

        Utf8Body? requestBody = null;
        Utf8Body? responseBody = null;
        try
        {
            if (settings.CaptureRequestBody && requestSize > 0)
                requestBody = Body(request.ContentType, requestTee is null ? default : requestTee.Captured, requestTee?.Truncated ?? true,
                    requestTee is { Capturing: true }, settings.RequestRedactor);
            if (settings.CaptureResponseBody && responseSize > 0)
                responseBody = responseTee is { SentFile: true }
                    ? Utf8Body.Without(response.ContentType, "file")
                    : Body(response.ContentType, responseTee is null ? default : responseTee.Captured, responseTee?.Truncated ?? true,
                        settings.IsCapturedContentType(response.ContentType) && responseTee is not null, settings.ResponseRedactor);

            var (errors, outgoing) = feature.Close();
            var activity = Activity.Current;
            var randomTrace = feature.TryGetRandomTraceId(out var traceHigh, out var traceLow);
            // Written here, straight from the context, while everything is in this core's cache: only the JSON waits in the queue.
            var incoming = IncomingRecordWriter.Write(context, settings, new IncomingFacts
            {
                Id = feature.RecordId,
                Timestamp = timestamp,
                DurationNs = elapsedTicks * 100,
                Route = route,
                Status = status,
                RequestSize = requestSize,
                ResponseSize = responseSize,
                Consumer = consumer,
                Errors = errors,
                ValidationErrors = responseTee is null ? null
                    : ValidationErrors.TryRead(status, response.ContentType, responseTee.Captured, responseTee.Truncated),
                Outgoing = outgoing,
                TraceId = randomTrace ? null : feature.TraceId, // a sampled request always has one of the two (set above)
                RandomTraceHigh = traceHigh,
                RandomTraceLow = traceLow,
                SpanId = activity?.SpanId.ToHexString(),
                RequestBody = requestBody,
                ResponseBody = responseBody,
            });
            sink.TryEnqueue(incoming);
        }
        finally
        {
            requestBody?.Release();
            responseBody?.Release();
        }
    }

    private ConsumerInfo? ResolveConsumer(HttpContext context, SightlineFeature? feature, ISightlineRequestHints? hints)
    {
        if (feature?.Consumer is { } set) return set;
        if (hints?.Consumer is { } fromHints) return fromHints;
        if (settings.ConsumerClaimType is { } claimType && context.User.Identity?.IsAuthenticated == true
            && context.User.FindFirst(claimType)?.Value is { Length: > 0 } id)
        {
            return new ConsumerInfo { Identifier = Cut(id, WireConstants.MaxConsumerIdentifierLength), Name = context.User.Identity.Name };
        }
        return null;
    }

    private string RouteOf(HttpContext context)
    {
        var endpoint = context.GetEndpoint();
        if (endpoint is null) return UnmatchedRoute;
        if (_routes.TryGetValue(endpoint, out var cached)) return cached;
        var template = endpoint is RouteEndpoint routeEndpoint ? routeEndpoint.RoutePattern.RawText : null;
        template = string.IsNullOrEmpty(template) ? endpoint.DisplayName ?? UnmatchedRoute : template.StartsWith('/') ? template : "/" + template;
        template = Cut(template, 512);
        if (_routes.Count < 10_000) _routes.TryAdd(endpoint, template);
        return template;
    }

    private Utf8Body Body(string? contentType, ReadOnlySpan<byte> captured, bool truncated, bool capturable, JsonRedactor redactor)
        => BodyCapture.Format(contentType, captured, truncated, capturable, redactor, settings, escaped: true);

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max];
}
