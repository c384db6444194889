using Microsoft.Extensions.Logging;

namespace Sightline.ApiKeys.Internal;

/// <summary>Source-generated log messages. Never logs a key's secret: only its reason, id or display prefix.</summary>
internal static partial class ApiKeyLog
{
    [LoggerMessage(EventId = 4001, EventName = "ApiKeyRefused", Level = LogLevel.Warning,
        Message = "API key refused: {Reason} (key {KeyPrefix}) from {ClientIp} for {Method} {Path}")]
    public static partial void Refused(ILogger logger, string reason, string? keyPrefix, string? clientIp, string method, string path);

    [LoggerMessage(EventId = 4002, EventName = "ApiKeyRefusalsSuppressed", Level = LogLevel.Warning,
        Message = "{Count} more refused API-key attempts were not logged (at most {Limit} per second are); they are still counted in sightline.apikeys.refused")]
    public static partial void RefusalsSuppressed(ILogger logger, long count, int limit);

    [LoggerMessage(EventId = 4003, EventName = "ApiKeyLastUsedWriteFailed", Level = LogLevel.Warning,
        Message = "Writing last-used times of {Count} API keys failed; will retry at the next flush")]
    public static partial void LastUsedWriteFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 4004, EventName = "ApiKeyQueryStringEnabled", Level = LogLevel.Warning,
        Message = "API-key scheme '{Scheme}' accepts keys in the query string ('{Parameter}'): URLs end up in proxy logs, browser history and Referer headers; prefer the {Header} header")]
    public static partial void QueryStringEnabled(ILogger logger, string scheme, string parameter, string header);
}
