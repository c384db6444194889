using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Evaluates heartbeats every <see cref="MonitoringOptions.HeartbeatTick"/>, on one server at a time (a lease in the database).</summary>
internal sealed partial class HeartbeatMonitorService(HeartbeatMonitor monitor, IMonitoringStore store, DefaultProject project, MonitorOwner owner,
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
                if (store.TryAcquireLease("heartbeat-monitor", owner.Id, time.GetUtcNow(), tick * 2)) monitor.Evaluate(project.Id);
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
}
