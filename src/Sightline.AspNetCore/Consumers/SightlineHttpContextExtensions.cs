using Microsoft.Extensions.Logging;
using Sightline.AspNetCore;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Diagnostics;
using Sightline.AspNetCore.Errors;
using Sightline.Protocol.Wire;

namespace Microsoft.AspNetCore.Http;

/// <summary>Per-request Sightline calls: identify the consumer, report handled errors.</summary>
public static class SightlineHttpContextExtensions
{
    /// <summary>
    /// Identifies who made this request, for the records and the 100% metrics. Callable anywhere in
    /// the pipeline. The identifier is trimmed and cut to 128 characters, name and group to 256; an
    /// empty identifier is ignored. Both are logged at Debug (event 1008). Never throws.
    /// </summary>
    public static void SetSightlineConsumer(this HttpContext context, string identifier, string? name = null, string? group = null)
    {
        if (context is null) return;
        try
        {
            if (string.IsNullOrWhiteSpace(identifier))
            {
                LogInvalid(context, "the identifier is empty; the consumer was not set");
                return;
            }
            identifier = identifier.Trim();
            if (identifier.Length > WireConstants.MaxConsumerIdentifierLength)
                LogInvalid(context, $"the identifier has {identifier.Length} characters; it was cut to {WireConstants.MaxConsumerIdentifierLength}");
            name = string.IsNullOrWhiteSpace(name) ? null : name.Trim();
            group = string.IsNullOrWhiteSpace(group) ? null : group.Trim();
            if (name?.Length > WireConstants.MaxConsumerNameLength || group?.Length > WireConstants.MaxConsumerNameLength)
                LogInvalid(context, $"the name or group is longer than {WireConstants.MaxConsumerNameLength} characters; it was cut");
            // One immutable object, set with a single reference write: safe when parallel code of the same
            // request sets it too (the last one wins), and never shared between requests.
            GetOrCreateFeature(context).Consumer = new ConsumerInfo
            {
                Identifier = Cut(identifier, WireConstants.MaxConsumerIdentifierLength),
                Name = name is null ? null : Cut(name, WireConstants.MaxConsumerNameLength),
                Group = group is null ? null : Cut(group, WireConstants.MaxConsumerNameLength),
            };
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // identifying the consumer never fails the app
        }
    }

    private static void LogInvalid(HttpContext context, string reason)
    {
        if (context.RequestServices?.GetService(typeof(ILoggerFactory)) is ILoggerFactory loggers)
            SightlineLog.InvalidConsumer(loggers.CreateLogger("Sightline.AspNetCore.Consumers"), reason);
    }

    /// <summary>
    /// Records a handled exception on this request's record (<c>source: "reported"</c>; several allowed,
    /// kept in order). Reported after the request's record was sent (e.g. from work the request left
    /// running), it is sent as a standalone error record linked to the request. Never throws.
    /// </summary>
    public static void ReportError(this HttpContext context, Exception exception)
    {
        if (context is null || exception is null) return;
        try
        {
            if (SightlineErrors.ReporterOf(context) is { } reporter) reporter.Report(context, exception);
            else GetOrCreateFeature(context).AddError(ErrorConverter.Convert(exception, handled: true, source: "reported"));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // reporting never fails the app
        }
    }

    internal static SightlineFeature GetOrCreateFeature(HttpContext context, DateTimeOffset? started = null)
    {
        var feature = context.Features.Get<SightlineFeature>();
        if (feature is null)
        {
            feature = started is { } at ? new SightlineFeature(RecordIds.NewVersion7(at)) : new SightlineFeature();
            context.Features.Set(feature);
        }
        return feature;
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max];
}
