using Microsoft.Extensions.Options;
using Sightline.Server.Storage;

namespace Sightline.Server.Hosting;

/// <summary>Deletes expired raw records and rollups every 10 minutes, in chunks, without blocking ingest.</summary>
internal sealed class RetentionService(ISightlineStore store, IOptions<ServerOptions> options, TimeProvider time, ILogger<RetentionService> logger)
    : PeriodicService(time)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    protected override async Task RunPassAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        var deleted = await store.ApplyRetentionAsync(now.AddDays(-options.Value.RecordRetentionDays), now.AddDays(-options.Value.RollupRetentionDays), cancellationToken);
        if (deleted > 0) logger.LogInformation("Retention deleted {Rows} expired rows", deleted);
    }

    protected override void OnPassFailed(Exception exception) => logger.LogWarning(exception, "Retention pass failed; it will run again");
}
