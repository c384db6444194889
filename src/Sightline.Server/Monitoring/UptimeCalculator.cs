namespace Sightline.Server.Monitoring;

/// <summary>Uptime percentages from incidents: the share of a period not covered by any incident.</summary>
internal static class UptimeCalculator
{
    /// <summary>
    /// Percentage of [<paramref name="from"/>, <paramref name="to"/>) without an incident, counted from
    /// <paramref name="monitoredSince"/> (time before a check existed is neither up nor down); null when nothing of the period was monitored.
    /// </summary>
    public static double? Percent(IEnumerable<Incident> incidents, DateTimeOffset from, DateTimeOffset to, DateTimeOffset monitoredSince, DateTimeOffset now)
    {
        var start = from > monitoredSince ? from : monitoredSince;
        var end = to < now ? to : now;
        if (end <= start) return null;
        // Merge overlapping intervals so overlapping incidents are not counted twice.
        var spans = incidents.Select(i => (Start: Max(i.Started, start), End: Min(i.Ended ?? now, end))).Where(s => s.End > s.Start).OrderBy(s => s.Start).ToList();
        var down = TimeSpan.Zero;
        DateTimeOffset? curStart = null, curEnd = null;
        foreach (var (s, e) in spans)
        {
            if (curEnd is { } ce && s <= ce)
            {
                if (e > ce) curEnd = e;
                continue;
            }
            if (curStart is { } cs) down += curEnd!.Value - cs;
            curStart = s;
            curEnd = e;
        }
        if (curStart is { } last) down += curEnd!.Value - last;
        return Math.Round(100.0 * (1 - down / (end - start)), 3);
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
