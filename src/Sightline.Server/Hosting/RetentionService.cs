using Microsoft.Extensions.Options;
using Sightline.Server.Storage;

namespace Sightline.Server.Hosting;

/// <summary>Deletes expired raw records and rollups every 10 minutes, in chunks, without blocking ingest.</summary>
internal sealed class RetentionService(ISightlineStore store, IOptions<ServerOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(10), time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                var deleted = await store.ApplyRetentionAsync(now.AddDays(-options.Value.RecordRetentionDays), now.AddDays(-options.Value.RollupRetentionDays), stoppingToken);
                if (deleted > 0) logger.LogInformation("Retention deleted {Rows} expired rows", deleted);
            }
            catch (System.Data.Common.DbException e)
            {
                logger.LogWarning(e, "Retention pass failed; it will run again");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
