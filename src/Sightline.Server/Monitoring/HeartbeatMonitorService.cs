using Microsoft.Extensions.Options;
using Sightline.Server.Storage;

namespace Sightline.Server.Monitoring;

/// <summary>Evaluates heartbeats every <see cref="MonitoringOptions.HeartbeatTick"/>, for every project, on one server at a time (a lease in the database).</summary>
internal sealed partial class HeartbeatMonitorService(HeartbeatMonitor monitor, IMonitoringStore store, ISightlineStore projects, MonitorOwner owner,
    IOptions<MonitoringOptions> options, TimeProvider time, ILogger<HeartbeatMonitorService> logger)
    : LeasedPerProjectService("heartbeat-monitor", store, projects, owner, time)
{
    protected override TimeSpan Interval => options.Value.HeartbeatTick;

    protected override void Evaluate(long projectId) => monitor.Evaluate(projectId);

    protected override void OnPassFailed(Exception exception) => LogFailed(logger, exception);

    protected override void OnProjectFailed(string project, Exception exception) => LogProjectFailed(logger, project, exception);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Warning, Message = "Heartbeat monitor pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8013, Level = LogLevel.Warning, Message = "Heartbeat monitor failed for project '{Project}'; the other projects were evaluated")]
    private static partial void LogProjectFailed(ILogger logger, string project, Exception exception);
}
