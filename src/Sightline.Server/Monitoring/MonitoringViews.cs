namespace Sightline.Server.Monitoring;

/// <summary>Maps stored monitoring objects to what the API and dashboard show.</summary>
internal static class MonitoringViews
{
    public static CheckView Check(IMonitoringStore store, UptimeCheck c, DateTimeOffset now)
    {
        var key = c.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var incidents = store.GetIncidents(c.ProjectId, now.AddDays(-30), now, "check", key);
        var d = c.Definition;
        return new CheckView(c.Id, d.Name, d.Url, d.Method, d.ExpectedStatus, d.TimeoutMs, d.IntervalSeconds, d.BodyContains, d.FailureThreshold, d.Enabled,
            c.State, c.ConsecutiveFailures, c.LastChecked, c.LastStatus, c.LastDurationMs, c.LastError,
            UptimeCalculator.Percent(incidents, now.AddDays(-1), now, c.Created, now),
            UptimeCalculator.Percent(incidents, now.AddDays(-7), now, c.Created, now),
            UptimeCalculator.Percent(incidents, now.AddDays(-30), now, c.Created, now));
    }

    public static RuleView Rule(AlertRule r)
    {
        var d = r.Definition;
        return new RuleView(r.Id, d.Name, d.Kind, d.Environment, d.Endpoint, d.CheckId, d.Threshold, d.WindowMinutes, d.MinRequests, d.RenotifyMinutes,
            d.ChannelIds, d.Enabled, r.State, r.StateSince, r.LastNotified, r.LastValue, r.Message);
    }

    public static ChannelView Channel(AlertChannel c)
        => new(c.Id, c.Name, c.Kind, c.Url is not null && Uri.TryCreate(c.Url, UriKind.Absolute, out var u) ? u.Host : null, c.EmailTo, c.HasSecret);
}
