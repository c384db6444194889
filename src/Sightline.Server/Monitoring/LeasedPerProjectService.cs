using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Monitoring;

/// <summary>
/// A <see cref="PeriodicService"/> whose pass runs on one server at a time (lease <c>leaseName</c>, held for two
/// intervals) and evaluates every project; one project's failure goes to <see cref="OnProjectFailed"/> and the others
/// still run.
/// </summary>
internal abstract class LeasedPerProjectService(string leaseName, IMonitoringStore store, ISightlineStore projects, MonitorOwner owner, TimeProvider time)
    : PeriodicService(time)
{
    protected abstract void Evaluate(long projectId);

    protected abstract void OnProjectFailed(string project, Exception exception);

    protected sealed override Task RunPassAsync(CancellationToken cancellationToken)
    {
        if (!store.TryAcquireLease(leaseName, owner.Id, Time.GetUtcNow(), Interval * 2)) return Task.CompletedTask;
        foreach (var project in projects.GetProjects())
        {
            try
            {
                Evaluate(project.Id);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                OnProjectFailed(project.Name, e);
            }
        }
        return Task.CompletedTask;
    }
}
