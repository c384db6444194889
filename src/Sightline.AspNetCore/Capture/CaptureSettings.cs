using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Capture;

/// <summary>Options compiled once at start-up into what the hot path needs: arrays, frozen sets, redactors.</summary>
internal sealed class CaptureSettings
{
    public CaptureSettings(IOptions<SightlineOptions> options, IHostEnvironment? environment)
    {
        var o = options.Value;
        Enabled = o.Enabled;
        SampleRate = o.SampleRate;
        ExcludePaths = [.. o.ExcludePaths.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => new PathString(p.StartsWith('/') ? p : "/" + p))];
        CaptureRequestBody = o.CaptureRequestBody && o.MaxBodySize > 0;
        CaptureResponseBody = o.CaptureResponseBody && o.MaxBodySize > 0;
        MaxBodySize = o.MaxBodySize;
        ContentTypes = [.. o.CapturedContentTypes.Select(t => t.Trim().ToLowerInvariant())];
        TextPolicy = o.NonJsonTextBodies;
        Headers = new HeaderRedactor(o.RedactHeaders);
        Query = new QueryStringRedactor(o.RedactQueryParams);
        Form = new FormRedactor(o.RedactQueryParams);
        RequestRedactor = JsonRedactor.Create(o.RedactRequestBody);
        ResponseRedactor = JsonRedactor.Create(o.RedactResponseBody);
        ConsumerClaimType = string.IsNullOrWhiteSpace(o.ConsumerClaimType) ? null : o.ConsumerClaimType;
        Debug = o.Debug;
        CaptureLoggedErrors = o.CaptureLoggedErrors;
        Service = new ServiceInfo
        {
            Name = o.ServiceName ?? environment?.ApplicationName ?? AppDomain.CurrentDomain.FriendlyName,
            Version = o.ServiceVersion,
            Environment = o.Environment ?? environment?.EnvironmentName,
            Tags = [.. o.Tags],
            Instance = Guid.NewGuid().ToString("n"),
            SdkVersion = typeof(CaptureSettings).Assembly.GetName().Version?.ToString(3),
            Runtime = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        };
    }

    public bool Enabled { get; }
    public double SampleRate { get; }
    public PathString[] ExcludePaths { get; }
    public bool CaptureRequestBody { get; }
    public bool CaptureResponseBody { get; }
    public int MaxBodySize { get; }
    public string[] ContentTypes { get; }
    public TextBodyPolicy TextPolicy { get; }
    public HeaderRedactor Headers { get; }
    public QueryStringRedactor Query { get; }
    public FormRedactor Form { get; }
    public JsonRedactor RequestRedactor { get; }
    public JsonRedactor ResponseRedactor { get; }
    public string? ConsumerClaimType { get; }
    public bool Debug { get; }
    public bool CaptureLoggedErrors { get; }
    public ServiceInfo Service { get; }

    public bool IsExcluded(PathString path)
    {
        foreach (var prefix in ExcludePaths)
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>A record is sent for sampled requests (the feature exists from the start) — not for features created later by user calls on unsampled requests.</summary>
    public bool ShouldRecord(SightlineFeature feature) => feature.Sampled;

    public bool ShouldSample() => SampleRate >= 1 || (SampleRate > 0 && Random.Shared.NextDouble() < SampleRate);

    /// <summary>Is a body of this content type captured at all (otherwise size + type only)?</summary>
    public bool IsCapturedContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var media = MediaType(contentType);
        foreach (var pattern in ContentTypes)
        {
            var star = pattern.IndexOf('*', StringComparison.Ordinal);
            if (star < 0 ? media.Equals(pattern, StringComparison.OrdinalIgnoreCase)
                : media.Length >= pattern.Length - 1
                  && media.StartsWith(pattern.AsSpan(0, star), StringComparison.OrdinalIgnoreCase)
                  && media.EndsWith(pattern.AsSpan(star + 1), StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    public static ReadOnlySpan<char> MediaType(string contentType)
    {
        var span = contentType.AsSpan();
        var semi = span.IndexOf(';');
        return (semi < 0 ? span : span[..semi]).Trim();
    }

    public static bool IsJson(string? contentType)
    {
        if (contentType is null) return false;
        var media = MediaType(contentType);
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsForm(string? contentType)
        => contentType is not null && MediaType(contentType).Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);
}
