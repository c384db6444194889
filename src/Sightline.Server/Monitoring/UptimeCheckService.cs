using Microsoft.Extensions.Options;

namespace Sightline.Server.Monitoring;

/// <summary>Runs due HTTP checks every <see cref="MonitoringOptions.SchedulerTick"/>.</summary>
internal sealed partial class UptimeCheckService(UptimeChecker checker, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<UptimeCheckService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SchedulerTick, time);
        do
        {
            try
            {
                await checker.RunDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Uptime checker pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
