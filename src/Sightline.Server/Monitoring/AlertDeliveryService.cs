using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Sends due notifications every <see cref="MonitoringOptions.DeliveryTick"/> (each delivery is claimed in the database, so several servers share the work).</summary>
internal sealed partial class AlertDeliveryService(AlertNotifier notifier, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<AlertDeliveryService> logger)
    : PeriodicService(time)
{
    protected override TimeSpan Interval => options.Value.DeliveryTick;

    protected override Task RunPassAsync(CancellationToken cancellationToken) => notifier.DeliverDueAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(EventId = 8030, Level = LogLevel.Warning, Message = "Notification pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
