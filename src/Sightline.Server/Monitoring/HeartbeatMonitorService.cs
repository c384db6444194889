using Microsoft.Extensions.Options;
using Sightline.Server.Storage;

namespace Sightline.Server.Monitoring;

/// <summary>Evaluates heartbeats every <see cref="MonitoringOptions.HeartbeatTick"/>, for every project, on one server at a time (a lease in the database).</summary>
internal sealed partial class HeartbeatMonitorService(HeartbeatMonitor monitor, IMonitoringStore store, ISightlineStore projects, MonitorOwner owner,
    IOptions<MonitoringOptions> options, TimeProvider time, ILogger<HeartbeatMonitorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = options.Value.HeartbeatTick;
        using var timer = new PeriodicTimer(tick, time);
        do
        {
            try
            {
                if (!store.TryAcquireLease("heartbeat-monitor", owner.Id, time.GetUtcNow(), tick * 2)) continue;
                // Every project each tick: one project's failure is logged and does not stop the others.
                foreach (var project in projects.GetProjects())
                {
                    try
                    {
                        monitor.Evaluate(project.Id);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        LogProjectFailed(logger, project.Name, e);
                    }
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 8012, Level = LogLevel.Warning, Message = "Heartbeat monitor pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "Heartbeat monitor failed for project '{Project}'; the other projects were evaluated")]
    private static partial void LogProjectFailed(ILogger logger, string project, Exception exception);
}
