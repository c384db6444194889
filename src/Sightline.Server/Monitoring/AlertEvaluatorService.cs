using Microsoft.Extensions.Options;
using Sightline.Server.Storage;

namespace Sightline.Server.Monitoring;

/// <summary>Evaluates alert rules every <see cref="MonitoringOptions.EvaluationInterval"/>, for every project, on one server at a time (a lease in the database).</summary>
internal sealed partial class AlertEvaluatorService(AlertEvaluator evaluator, IMonitoringStore store, ISightlineStore projects, MonitorOwner owner,
    IOptions<MonitoringOptions> options, TimeProvider time, ILogger<AlertEvaluatorService> logger)
    : LeasedPerProjectService("alert-evaluator", store, projects, owner, time)
{
    protected override TimeSpan Interval => options.Value.EvaluationInterval;

    protected override void Evaluate(long projectId) => evaluator.Evaluate(projectId);

    protected override void OnPassFailed(Exception exception) => LogFailed(logger, exception);

    protected override void OnProjectFailed(string project, Exception exception) => LogProjectFailed(logger, project, exception);

    [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "Alert evaluation pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 8023, Level = LogLevel.Warning, Message = "Alert evaluation failed for project '{Project}'; the other projects were evaluated")]
    private static partial void LogProjectFailed(ILogger logger, string project, Exception exception);
}
