using Microsoft.Extensions.Options;

namespace Sightline.Server.Monitoring;

/// <summary>Sends due notifications every <see cref="MonitoringOptions.DeliveryTick"/> (each delivery is claimed in the database, so several servers share the work).</summary>
internal sealed partial class AlertDeliveryService(AlertNotifier notifier, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<AlertDeliveryService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.DeliveryTick, time);
        do
        {
            try
            {
                await notifier.DeliverDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 8030, Level = LogLevel.Warning, Message = "Notification pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
