using Microsoft.Extensions.Options;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Hosting;

/// <summary>Start-up validation: every failure names the option and the fix.</summary>
internal sealed class SightlineOptionsValidator : IValidateOptions<SightlineOptions>
{
    public ValidateOptionsResult Validate(string? name, SightlineOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ApiKey))
            errors.Add("Sightline:ApiKey is required: set o.ApiKey in AddSightline(...) or the configuration key Sightline:ApiKey (environment variable Sightline__ApiKey) to the ingest key your Sightline server printed.");
        if (options.Endpoint is null || !options.Endpoint.IsAbsoluteUri || (options.Endpoint.Scheme != Uri.UriSchemeHttp && options.Endpoint.Scheme != Uri.UriSchemeHttps))
            errors.Add($"Sightline:Endpoint must be an absolute http(s) URL such as http://localhost:5080 (got '{options.Endpoint}').");
        if (options.SampleRate is < 0 or > 1 || double.IsNaN(options.SampleRate))
            errors.Add($"Sightline:SampleRate must be between 0 and 1 (got {options.SampleRate}).");
        if (options.MaxBodySize < 0)
            errors.Add($"Sightline:MaxBodySize must be 0 or more bytes (got {options.MaxBodySize}).");
        if (options.QueueCapacity is < 1 or > Transport.TelemetryQueue.MaxCapacity)
            errors.Add($"Sightline:QueueCapacity must be between 1 and {Transport.TelemetryQueue.MaxCapacity} (got {options.QueueCapacity}).");
        // The server refuses a larger batch (413): every batch would be dropped.
        if (options.BatchMaxItems is < 1 or > WireConstants.MaxBatchItems)
            errors.Add($"Sightline:BatchMaxItems must be between 1 and {WireConstants.MaxBatchItems} (got {options.BatchMaxItems}).");
        if (options.BatchMaxBytes < 1024 || options.BatchMaxBytes > WireConstants.MaxBatchBytes)
            errors.Add($"Sightline:BatchMaxBytes must be between 1024 and {WireConstants.MaxBatchBytes} (got {options.BatchMaxBytes}).");
        if (options.SpoolMaxBytes < 0)
            errors.Add($"Sightline:SpoolMaxBytes must be 0 or more (got {options.SpoolMaxBytes}).");
        CheckPositive(errors, nameof(options.FlushInterval), options.FlushInterval);
        CheckPositive(errors, nameof(options.MetricsInterval), options.MetricsInterval);
        CheckPositive(errors, nameof(options.HeartbeatInterval), options.HeartbeatInterval);
        CheckPositive(errors, nameof(options.RequestTimeout), options.RequestTimeout);
        CheckPositive(errors, nameof(options.MaxRetryDelay), options.MaxRetryDelay);
        if (options.ShutdownTimeout < TimeSpan.Zero)
            errors.Add($"Sightline:ShutdownTimeout must not be negative (got {options.ShutdownTimeout}).");
        CheckPaths(errors, nameof(options.RedactRequestBody), options.RedactRequestBody);
        CheckPaths(errors, nameof(options.RedactResponseBody), options.RedactResponseBody);
        CheckPaths(errors, nameof(options.RedactOutgoingRequestBody), options.RedactOutgoingRequestBody);
        CheckPaths(errors, nameof(options.RedactOutgoingResponseBody), options.RedactOutgoingResponseBody);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckPositive(List<string> errors, string option, TimeSpan value)
    {
        if (value <= TimeSpan.Zero) errors.Add($"Sightline:{option} must be a positive time span (got {value}).");
    }

    private static void CheckPaths(List<string> errors, string option, List<string>? paths)
    {
        if (paths is null) return;
        for (var i = 0; i < paths.Count; i++)
        {
            try
            {
                JsonPath.Parse(paths[i]);
            }
            catch (JsonPathException e)
            {
                errors.Add($"Sightline:{option}[{i}] is not a valid RFC 9535 JSONPath: {e.Message} Example of a valid path: $.user.addresses[*].zip");
            }
        }
    }
}
