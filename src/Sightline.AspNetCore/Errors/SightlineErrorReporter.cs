using Microsoft.AspNetCore.Http;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Errors;

/// <summary>
/// Finds the current request through <see cref="IHttpContextAccessor"/> (which the host already tracks
/// per request; Sightline writes no extra async-local state, so requests that report nothing pay nothing).
/// </summary>
internal sealed class SightlineErrorReporter(CaptureSettings settings, ITelemetrySink sink, IHttpContextAccessor accessor, TimeProvider time)
    : ISightlineErrorReporter
{
    /// <summary>Route template of a standalone error record (an error reported outside any request).</summary>
    public const string StandaloneRoute = "(no request)";

    /// <summary>Method of a standalone error record.</summary>
    public const string StandaloneMethod = "ERROR";

    public void Report(Exception exception)
    {
        if (exception is null) return;
        try
        {
            Report(accessor.HttpContext, exception);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // reporting never fails the app
        }
    }

    /// <summary>Attaches to <paramref name="context"/>'s record when there is one still open, otherwise sends a standalone record.</summary>
    public void Report(HttpContext? context, Exception exception)
    {
        if (!settings.Enabled) return;
        var error = ErrorConverter.Convert(exception, handled: true, source: "reported");
        if (context is not null)
        {
            var feature = SightlineHttpContextExtensions.GetOrCreateFeature(context);
            if (feature.AddError(error)) return; // sent with the request's record (when the request is sampled)
            if (!feature.Sampled) return;        // an unsampled request's errors are not recorded, like the request
            SendStandalone(error, feature.TraceId, feature.RecordId);
            return;
        }
        SendStandalone(error, System.Diagnostics.Activity.Current?.TraceId.ToHexString(), null);
    }

    private void SendStandalone(ErrorInfo error, string? traceId, Guid? requestId)
    {
        sink.TryEnqueue(new RequestRecord
        {
            Id = Guid.CreateVersion7(),
            Direction = WireConstants.DirectionIncoming,
            // An error reported after its request's record was sent keeps the link to that request.
            ParentId = requestId,
            Timestamp = time.GetUtcNow(),
            Method = StandaloneMethod,
            RouteTemplate = StandaloneRoute,
            Path = "",
            Status = 0,
            Errors = [error],
            TraceId = traceId,
        });
    }
}
