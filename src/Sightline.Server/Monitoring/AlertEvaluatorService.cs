using Microsoft.Extensions.Options;
using Sightline.Server.Hosting;

namespace Sightline.Server.Monitoring;

/// <summary>Evaluates alert rules every <see cref="MonitoringOptions.EvaluationInterval"/>, on one server at a time (a lease in the database).</summary>
internal sealed partial class AlertEvaluatorService(AlertEvaluator evaluator, IMonitoringStore store, DefaultProject project, MonitorOwner owner,
    IOptions<MonitoringOptions> options, TimeProvider time, ILogger<AlertEvaluatorService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var tick = options.Value.EvaluationInterval;
        using var timer = new PeriodicTimer(tick, time);
        do
        {
            try
            {
                if (store.TryAcquireLease("alert-evaluator", owner.Id, time.GetUtcNow(), tick * 2)) evaluator.Evaluate(project.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    [LoggerMessage(EventId = 8022, Level = LogLevel.Warning, Message = "Alert evaluation pass failed; it runs again at the next tick")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
