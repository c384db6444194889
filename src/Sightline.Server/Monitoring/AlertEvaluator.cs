using System.Globalization;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Evaluates alert rules from rollups, incidents, error groups and security events. A rule moves
/// ok → firing → resolved (→ firing again); it notifies when it starts firing, when it resolves, and
/// while it keeps firing only every <see cref="AlertRuleDefinition.RenotifyMinutes"/> (0 = never).
/// Each notification is an event in the alert history plus one pending delivery per channel.
/// </summary>
internal sealed partial class AlertEvaluator(IMonitoringStore store, TimeProvider time, ILogger<AlertEvaluator> logger)
{
    public const string Ok = "ok", Firing = "firing", Resolved = "resolved";

    /// <summary>Evaluates every enabled rule of a project once; returns the events raised.</summary>
    public IReadOnlyList<AlertEvent> Evaluate(long projectId)
    {
        var now = time.GetUtcNow();
        var raised = new List<AlertEvent>();
        IReadOnlyList<Incident>? open = null;
        foreach (var rule in store.GetRules(projectId))
        {
            if (!rule.Definition.Enabled) continue;
            Condition condition;
            try
            {
                condition = Check(rule.Definition, projectId, now, () => open ??= store.GetOpenIncidents(projectId));
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or FormatException)
            {
                LogRuleFailed(logger, rule.Definition.Name, ex);
                continue;
            }
            if (Transition(rule, condition, now) is { } e) raised.Add(e);
        }
        return raised;
    }

    private AlertEvent? Transition(AlertRule rule, Condition c, DateTimeOffset now)
    {
        var d = rule.Definition;
        string? kind = null;
        var state = rule.State;
        var since = rule.StateSince;
        var notified = rule.LastNotified;
        if (c.Firing)
        {
            if (rule.State != Firing)
            {
                (kind, state, since, notified) = ("firing", Firing, now, now);
            }
            else if ((d.RenotifyMinutes > 0 && notified is { } n && now - n >= TimeSpan.FromMinutes(d.RenotifyMinutes))
                || (c.NewSince is { } newest && notified is { } last && newest > last))
            {
                (kind, notified) = ("renotify", now);
            }
        }
        else if (rule.State == Firing)
        {
            (kind, state, since, notified) = ("resolved", Resolved, now, now);
        }
        store.SaveRuleState(rule.Id, state, since, notified, c.Value, c.Message);
        if (kind is null) return null;
        var message = kind == "resolved" ? "Resolved: " + c.Message : c.Message;
        var e = new AlertEvent(0, rule.ProjectId, rule.Id, d.Name, d.Kind, kind, message, c.Value, d.Threshold, d.Environment, d.Endpoint, now);
        var id = store.AddEvent(e, d.ChannelIds);
        LogTransition(logger, d.Name, kind, message);
        return e with { Id = id };
    }

    private readonly record struct Condition(bool Firing, double? Value, string Message, DateTimeOffset? NewSince = null);

    private Condition Check(AlertRuleDefinition d, long projectId, DateTimeOffset now, Func<IReadOnlyList<Incident>> openIncidents)
    {
        var window = TimeSpan.FromMinutes(d.WindowMinutes);
        var windowText = $"{d.WindowMinutes} min";
        switch (d.Kind)
        {
            case "app_down":
            {
                var down = openIncidents().Where(i => d.Environment is null
                    ? i.TargetKind == HeartbeatMonitor.ServiceKind
                    : i.TargetKind == HeartbeatMonitor.EnvironmentKind && i.TargetKey.EndsWith("/" + d.Environment, StringComparison.Ordinal)).ToList();
                return new Condition(down.Count > 0, down.Count, down.Count == 0
                    ? "Every monitored service is sending heartbeats."
                    : "Down: " + string.Join("; ", down.Select(i => $"{i.TargetName} since {Stamp(i.Started)} ({i.Reason})")));
            }
            case "check_down":
            {
                var key = d.CheckId?.ToString(CultureInfo.InvariantCulture);
                var down = openIncidents().Where(i => i.TargetKind == "check" && (key is null || i.TargetKey == key)).ToList();
                return new Condition(down.Count > 0, down.Count, down.Count == 0
                    ? "All checks are up."
                    : "Check down: " + string.Join("; ", down.Select(i => $"{i.TargetName} since {Stamp(i.Started)} ({i.Reason})")));
            }
            case "error_rate":
            {
                var t = Traffic(d, projectId, now, window);
                var enough = t.Requests >= Math.Max(1, d.MinRequests);
                var rate = Math.Round(t.ErrorRatePercent, 2);
                return new Condition(enough && rate > d.Threshold, rate,
                    $"Error rate {Num(rate)} % over {windowText}{Scope(d)} ({t.Errors} of {t.Requests} requests; threshold {Num(d.Threshold)} %, minimum {d.MinRequests} requests).");
            }
            case "latency_p95" or "latency_p99":
            {
                var t = Traffic(d, projectId, now, window);
                var p = Math.Round(d.Kind == "latency_p95" ? t.P95Ms : t.P99Ms, 1);
                var label = d.Kind == "latency_p95" ? "p95" : "p99";
                return new Condition(t.Requests >= Math.Max(1, d.MinRequests) && p > d.Threshold, p,
                    $"Latency {label} {Num(p)} ms over {windowText}{Scope(d)} ({t.Requests} requests; threshold {Num(d.Threshold)} ms).");
            }
            case "new_error_group":
            {
                var groups = store.GetErrorGroupsFirstSeenSince(projectId, now - window);
                return new Condition(groups.Count > 0, groups.Count, groups.Count == 0
                    ? $"No new error group in the last {windowText}."
                    : $"{groups.Count} new error group(s) in the last {windowText}: " + string.Join("; ", groups.Take(5).Select(g => $"{g.Type}: {Truncate(g.Message, 200)}")),
                    groups.Count > 0 ? groups.Max(g => g.FirstSeen) : null);
            }
            case "refused_keys":
            {
                var count = store.CountSecurityEvents(projectId, now - window, now);
                return new Condition(count > d.Threshold, count, $"{count} refused API-key attempt(s) in the last {windowText} (threshold {Num(d.Threshold)}).");
            }
            default:
                return new Condition(false, null, $"Unknown rule kind '{d.Kind}'.");
        }
    }

    private TrafficWindow Traffic(AlertRuleDefinition d, long projectId, DateTimeOffset now, TimeSpan window)
    {
        string? method = null, route = null;
        if (d.Endpoint is not null) MonitoringValidation.TrySplitEndpoint(d.Endpoint, out method, out route);
        return store.GetTraffic(projectId, d.Environment, method, route, now - window, now);
    }

    private static string Scope(AlertRuleDefinition d)
        => (d.Endpoint is null ? "" : $" on {d.Endpoint}") + (d.Environment is null ? "" : $" in {d.Environment}");

    private static string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
    private static string Stamp(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    [LoggerMessage(EventId = 8020, Level = LogLevel.Information, Message = "Alert '{Rule}' {Kind}: {Message}")]
    private static partial void LogTransition(ILogger logger, string rule, string kind, string message);

    [LoggerMessage(EventId = 8021, Level = LogLevel.Warning, Message = "Alert rule '{Rule}' could not be evaluated")]
    private static partial void LogRuleFailed(ILogger logger, string rule, Exception exception);
}
