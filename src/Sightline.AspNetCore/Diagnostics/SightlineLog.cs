using Microsoft.Extensions.Logging;

namespace Sightline.AspNetCore.Diagnostics;

/// <summary>Source-generated self-logging with stable event ids. Never logs the API key or captured data.</summary>
internal static partial class SightlineLog
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Sightline sent a batch of {Items} items ({Bytes} bytes gzip) to {Endpoint}: HTTP {Status}")]
    public static partial void BatchSent(ILogger logger, int items, int bytes, Uri endpoint, int status);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Sightline will retry a batch of {Items} items in {Delay}: {Reason}")]
    public static partial void BatchRetry(ILogger logger, int items, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Sightline dropped {Items} items: {Reason}")]
    public static partial void Dropped(ILogger logger, int items, string reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Sightline spooled a batch of {Items} items to disk: {Reason}")]
    public static partial void Spooled(ILogger logger, int items, string reason);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Sightline's server refused the ingest key (HTTP {Status}); check Sightline:ApiKey. Batches are dropped until it is accepted.")]
    public static partial void KeyRefused(ILogger logger, int status);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Sightline sent spooled batch {File}")]
    public static partial void SpoolSent(ILogger logger, string file);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug, Message = "Sightline capture failed for {Path}; the request was not affected")]
    public static partial void CaptureFailed(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Debug, Message = "Sightline ignored an invalid consumer: {Reason}")]
    public static partial void InvalidConsumer(ILogger logger, string reason);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Debug, Message = "Sightline shutdown: {Items} queued items could not be sent within the deadline and were spooled or dropped")]
    public static partial void ShutdownLeftover(ILogger logger, int items);
}
