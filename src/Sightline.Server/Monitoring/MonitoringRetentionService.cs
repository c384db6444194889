using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Hourly, deletes monitoring history (closed incidents, alert events, finished deliveries) older than the rollup retention.</summary>
internal sealed partial class MonitoringRetentionService(IMonitoringStore store, MonitorOwner owner, IOptions<ServerOptions> server, TimeProvider time,
    ILogger<MonitoringRetentionService> logger) : PeriodicService(time)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override Task RunPassAsync(CancellationToken cancellationToken)
    {
        var now = Time.GetUtcNow();
        if (store.TryAcquireLease("monitoring-retention", owner.Id, now, TimeSpan.FromMinutes(30)))
        {
            var deleted = store.Prune(now.AddDays(-server.Value.RollupRetentionDays));
            if (deleted > 0) LogPruned(logger, deleted);
        }
        return Task.CompletedTask;
    }

    protected override void OnPassFailed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(EventId = 8040, Level = LogLevel.Information, Message = "Monitoring retention deleted {Rows} rows")]
    private static partial void LogPruned(ILogger logger, int rows);

    [LoggerMessage(EventId = 8041, Level = LogLevel.Warning, Message = "Monitoring retention pass failed; it runs again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
