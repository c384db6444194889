using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Runs due HTTP checks every <see cref="MonitoringOptions.SchedulerTick"/>.</summary>
internal sealed partial class UptimeCheckService(UptimeChecker checker, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<UptimeCheckService> logger)
    : PeriodicService(time)
{
    protected override TimeSpan Interval => options.Value.SchedulerTick;

    protected override Task RunPassAsync(CancellationToken cancellationToken) => checker.RunDueAsync(cancellationToken);

    protected override void OnPassFailed(Exception exception) => LogFailed(logger, exception);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "Uptime checker pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
