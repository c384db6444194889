using Microsoft.Extensions.Options;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Turns SDK heartbeats into uptime: an instance is down when it has missed
/// <see cref="MonitoringOptions.HeartbeatMissedIntervals"/> heartbeat intervals (a graceful shutdown is
/// not an outage of that instance); an environment or a whole service is down when none of its
/// instances is alive, whether they went silent or stopped. Incidents start when the last heartbeat
/// came and end when one comes again.
/// </summary>
internal sealed partial class HeartbeatMonitor(IMonitoringStore store, IOptions<MonitoringOptions> options, TimeProvider time, ILogger<HeartbeatMonitor> logger)
{
    public const string InstanceKind = "instance";
    public const string EnvironmentKind = "environment";
    public const string ServiceKind = "service";

    /// <summary>Evaluates every known instance of a project once.</summary>
    public void Evaluate(long projectId)
    {
        var now = time.GetUtcNow();
        var o = options.Value;
        var instances = store.GetInstanceHeartbeats(projectId).Where(i => now - i.LastSeen <= o.ForgetInstancesAfter).ToList();
        bool Alive(InstanceHeartbeat i) => !i.Stopped && now - i.LastSeen <= Silence(i);
        TimeSpan Silence(InstanceHeartbeat i) => TimeSpan.FromSeconds(Math.Max(1, i.IntervalSeconds) * (double)o.HeartbeatMissedIntervals);

        foreach (var i in instances)
        {
            if (!i.Stopped && !Alive(i))
            {
                var reason = $"No heartbeat for {(int)(now - i.LastSeen).TotalSeconds} s (expected every {i.IntervalSeconds} s).";
                if (store.OpenIncident(projectId, InstanceKind, i.Instance, $"{i.Service} {i.Instance}", i.LastSeen, reason) is not null)
                    LogDown(logger, InstanceKind, i.Instance, reason);
            }
            else if (store.CloseIncident(projectId, InstanceKind, i.Instance, i.LastSeen) is not null)
            {
                LogUp(logger, InstanceKind, i.Instance);
            }
        }
        foreach (var group in instances.GroupBy(i => (i.Service, Environment: i.Environment ?? "")))
            EvaluateGroup(projectId, EnvironmentKind, $"{group.Key.Service}/{group.Key.Environment}",
                group.Key.Environment.Length == 0 ? group.Key.Service : $"{group.Key.Service} ({group.Key.Environment})", [.. group], Alive, now);
        foreach (var group in instances.GroupBy(i => i.Service))
            EvaluateGroup(projectId, ServiceKind, group.Key, group.Key, [.. group], Alive, now);
    }

    private void EvaluateGroup(long projectId, string kind, string key, string name, List<InstanceHeartbeat> members, Func<InstanceHeartbeat, bool> alive, DateTimeOffset now)
    {
        var lastSeen = members.Max(i => i.LastSeen);
        if (members.Any(alive))
        {
            if (store.CloseIncident(projectId, kind, key, members.Where(alive).Min(i => i.LastSeen)) is not null) LogUp(logger, kind, key);
            return;
        }
        var reason = members.All(i => i.Stopped)
            ? $"All {members.Count} instance(s) stopped."
            : $"No heartbeat from any of {members.Count} instance(s) for {(int)(now - lastSeen).TotalSeconds} s.";
        if (store.OpenIncident(projectId, kind, key, name, lastSeen, reason) is not null) LogDown(logger, kind, key, reason);
    }

    [LoggerMessage(EventId = 8010, Level = LogLevel.Warning, Message = "Heartbeat monitor: {Kind} '{Key}' is down: {Reason}")]
    private static partial void LogDown(ILogger logger, string kind, string key, string reason);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Information, Message = "Heartbeat monitor: {Kind} '{Key}' is up again")]
    private static partial void LogUp(ILogger logger, string kind, string key);
}
