using System.Globalization;
using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>Refused API-key attempts over time by reason, with the client IPs and key prefixes behind them, and the latest attempts.</summary>
internal static class SecurityPage
{
    public static IResult Render(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var report = store.GetSecurityReport(scope.ProjectId, scope.From, scope.To, scope.Bucket, scope.Environment);
        var html = new Html();
        // Events stored before security events carried an environment have none: they count only under "all environments".
        if (scope.Environment is not null)
            html.Tag("p", $"Attempts reported by SDKs in environment {scope.Environment}; attempts stored before the server recorded environments appear only under all environments.", "muted");
        html.Raw("<div class=\"cards\">");
        Layout.Card(html, "Refused attempts", Layout.N(report.Total), report.Total > 0 ? "bad" : null);
        Layout.Card(html, "Client IPs", Layout.N(report.ClientIps.Count) + (report.ClientIps.Count == 20 ? "+" : ""));
        Layout.Card(html, "Key prefixes", Layout.N(report.KeyPrefixes.Count) + (report.KeyPrefixes.Count == 20 ? "+" : ""));
        html.Raw("</div><section class=\"charts\"><div>").Tag("h2", "Refused attempts by reason")
            .Raw(Charts.Stacked(report.Buckets, report.Series.Select(p => (p.Bucket, p.Reason, p.Count)).ToList(), scope.Bucket, "refused attempts"))
            .Raw("</div><div>").Tag("h2", "Reasons").Table(null, "Reason", "Attempts");
        foreach (var r in report.Reasons) html.Raw("<tr>").Tag("td", r.Key, "mono").Tag("td", Layout.N(r.Count), "num").Raw("</tr>");
        html.EndTable(report.Reasons.Count).Raw("</div></section>");
        html.Raw("<section class=\"columns\">");
        foreach (var (title, column, rows) in new[] { ("Client IPs", "Client IP", report.ClientIps), ("Key prefixes", "Key prefix", report.KeyPrefixes) })
        {
            html.Raw("<div>").Tag("h2", title).Table(null, column, "Attempts");
            foreach (var r in rows) html.Raw("<tr>").Tag("td", r.Key, "mono").Tag("td", Layout.N(r.Count), "num").Raw("</tr>");
            html.EndTable(rows.Count).Raw("</div>");
        }
        html.Raw("</section>");
        var latest = store.GetSecurityEvents(scope.ProjectId, 50, scope.Environment).Where(e => e.Timestamp >= scope.From).ToList();
        html.Tag("h2", "Latest attempts").Table("log", "Time (UTC)", "Reason", "Key prefix", "Client IP", "Request");
        foreach (var e in latest)
        {
            html.Raw("<tr>").Tag("td", e.Timestamp.UtcDateTime.ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture), "nowrap").Tag("td", e.Reason, "bad")
                .Tag("td", e.KeyPrefix, "mono").Tag("td", e.ClientIp, "mono").Tag("td", $"{e.Method} {e.Path}", "path").Raw("</tr>");
        }
        html.EndTable(latest.Count, "No refused attempts in this range.");
        return Layout.Page(context, "Security", html.ToString(), scope);
    }
}
