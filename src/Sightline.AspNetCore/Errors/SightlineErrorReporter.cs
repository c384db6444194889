using Microsoft.AspNetCore.Http;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Errors;

/// <summary>
/// Attaches a reported error to the recorded request of the current async flow (<see cref="RequestScope"/>).
/// Reported outside any recorded request (in background work, or inside a request that was not sampled,
/// which the SDK cannot tell apart without async-local state on every request), it is sent as a standalone
/// error record, sampled at <see cref="SightlineOptions.SampleRate"/> like requests; inside an excluded request it is not recorded.
/// </summary>
internal sealed class SightlineErrorReporter(CaptureSettings settings, ITelemetrySink sink, TimeProvider time)
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
            Report(RequestScope.Current, exception);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // reporting never fails the app
        }
    }

    /// <summary>
    /// Attaches to the record of <paramref name="scope"/> while it is open; after it was sent, a standalone record linked
    /// to it. Errors of an unsampled or excluded request are not recorded, like the request. With no scope (outside any
    /// recorded request), a standalone record sampled at <see cref="SightlineOptions.SampleRate"/>.
    /// </summary>
    public void Report(SightlineFeature? scope, Exception exception)
    {
        if (!settings.Enabled || (scope is null && !settings.ShouldSample())) return;
        var error = ErrorConverter.Convert(exception, handled: true, source: "reported");
        if (scope is null) SendStandalone(error, System.Diagnostics.Activity.Current?.TraceId.ToHexString(), null);
        else if (!scope.AddError(error) && scope.Sampled) SendStandalone(error, scope.TraceId, scope.RecordId); // added: sent with the request's record
    }

    /// <summary>Attaches to <paramref name="context"/>'s record (see <see cref="Report(SightlineFeature?, Exception)"/>).</summary>
    public void Report(HttpContext context, Exception exception) => Report(SightlineHttpContextExtensions.GetOrCreateFeature(context), exception);

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
