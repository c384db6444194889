using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Hourly, deletes monitoring history (closed incidents, alert events, finished deliveries) older than the rollup retention.</summary>
internal sealed partial class MonitoringRetentionService(IMonitoringStore store, MonitorOwner owner, IOptions<ServerOptions> server, TimeProvider time,
    ILogger<MonitoringRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                var now = time.GetUtcNow();
                if (store.TryAcquireLease("monitoring-retention", owner.Id, now, TimeSpan.FromMinutes(30)))
                {
                    var deleted = store.Prune(now.AddDays(-server.Value.RollupRetentionDays));
                    if (deleted > 0) LogPruned(logger, deleted);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 8040, Level = LogLevel.Information, Message = "Monitoring retention deleted {Rows} rows")]
    private static partial void LogPruned(ILogger logger, int rows);

    [LoggerMessage(EventId = 8041, Level = LogLevel.Warning, Message = "Monitoring retention pass failed; it runs again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
