using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Errors;
using Sightline.Protocol.Wire;

namespace Microsoft.AspNetCore.Http;

/// <summary>Per-request Sightline calls: identify the consumer, report handled errors.</summary>
public static class SightlineHttpContextExtensions
{
    /// <summary>
    /// Identifies who made this request, for the records and the 100% metrics. Callable anywhere in
    /// the pipeline. The identifier is trimmed and cut to 128 characters, name and group to 256; an
    /// empty identifier is ignored. Never throws.
    /// </summary>
    public static void SetSightlineConsumer(this HttpContext context, string identifier, string? name = null, string? group = null)
    {
        if (context is null || string.IsNullOrWhiteSpace(identifier)) return;
        var feature = GetOrCreateFeature(context);
        feature.Consumer = new ConsumerInfo
        {
            Identifier = Cut(identifier.Trim(), WireConstants.MaxConsumerIdentifierLength),
            Name = name is null ? null : Cut(name.Trim(), WireConstants.MaxConsumerNameLength),
            Group = group is null ? null : Cut(group.Trim(), WireConstants.MaxConsumerNameLength),
        };
    }

    /// <summary>Records a handled exception on this request's record (kept in order, several allowed). Never throws.</summary>
    public static void ReportError(this HttpContext context, Exception exception)
    {
        if (context is null || exception is null) return;
        GetOrCreateFeature(context).AddError(ErrorConverter.Convert(exception, handled: true, source: "reported"));
    }

    internal static SightlineFeature GetOrCreateFeature(HttpContext context)
    {
        var feature = context.Features.Get<SightlineFeature>();
        if (feature is null)
        {
            feature = new SightlineFeature();
            context.Features.Set(feature);
        }
        return feature;
    }

    private static string Cut(string value, int max) => value.Length <= max ? value : value[..max];
}
