namespace Sightline.AspNetCore;

public sealed partial class SightlineOptions
{
    /// <summary>Base address of the Sightline server. Default: <c>http://localhost:5080</c>.</summary>
    public Uri Endpoint { get; set; } = new("http://localhost:5080");

    /// <summary>
    /// Items held in memory waiting to be sent; when full, new items are dropped and counted. Default: 10000, at most
    /// 1048576. The queue's slots are allocated at start-up (24 bytes each: 234 KiB by default).
    /// </summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Most items per batch. Default: 500.</summary>
    public int BatchMaxItems { get; set; } = 500;

    /// <summary>Most uncompressed bytes per batch (estimated). Default: 4 MiB.</summary>
    public int BatchMaxBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Longest time an item waits before its batch is sent. Default: 2 s.</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest delay between retries (exponential backoff with full jitter, or the server's Retry-After). Default: 60 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Timeout of one POST to the server. Default: 30 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Folder where batches are kept while the server is unreachable; they are sent when it is back,
    /// also after an app restart. Default: <c>{temp}/sightline-spool/{ServiceName}</c>. Set to an
    /// empty string to disable the spool (batches are then dropped and counted).
    /// </summary>
    public string? SpoolDirectory { get; set; }

    /// <summary>Most bytes kept in the spool; the oldest batches are dropped beyond it. Default: 100 MiB.</summary>
    public long SpoolMaxBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Spooled batches older than this are dropped. Default: 24 h.</summary>
    public TimeSpan SpoolMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Attempts to send a spooled batch before it is dropped. Default: 50.</summary>
    public int SpoolMaxAttempts { get; set; } = 50;

    /// <summary>Time allowed on graceful shutdown to send what is queued (the rest is spooled). Default: 5 s.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
