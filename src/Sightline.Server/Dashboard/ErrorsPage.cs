using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>Errors grouped by fingerprint with occurrences over time, and one group's page (affected endpoints and consumers, sample requests).</summary>
internal static class ErrorsPage
{
    public static IResult List(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var summary = store.GetErrorSummary(scope.ProjectId, scope.From, scope.To, scope.Bucket, scope.Environment);
        var groups = store.GetErrorGroups(scope.ProjectId, 200);
        // Error groups are project-wide: with an environment chosen, only the groups that occurred there in the range.
        if (scope.Environment is not null) groups = groups.Where(g => summary.CountsByFingerprint.ContainsKey(g.Fingerprint)).ToList();
        var html = new Html().Raw("<section class=\"charts\"><div>").Tag("h2", "Occurrences").Raw(Charts.Counts(summary.Series, scope.Bucket, "errors")).Raw("</div></section>");
        html.Tag("h2", "Error groups").Table("errors", "Error", "In range", "All time", "First seen", "Last seen");
        foreach (var e in groups.OrderByDescending(g => summary.CountsByFingerprint.GetValueOrDefault(g.Fingerprint)).ThenByDescending(g => g.LastSeen))
        {
            var inRange = summary.CountsByFingerprint.GetValueOrDefault(e.Fingerprint);
            html.Raw("<tr><td class=\"message\">").Link("/errors/view?fp=" + Uri.EscapeDataString(e.Fingerprint), e.Type).Tag("div", e.Message, "muted").Raw("</td>")
                .Tag("td", Layout.N(inRange), inRange > 0 ? "num bad" : "num").Tag("td", Layout.N(e.Count), "num")
                .Tag("td", Layout.Ago(e.FirstSeen), "nowrap").Tag("td", Layout.Ago(e.LastSeen), "nowrap").Raw("</tr>");
        }
        html.EndTable(groups.Count, scope.Environment is null ? "No errors recorded." : $"No errors in {scope.Environment} in this range.");
        return Layout.Page(context, "Errors", html.ToString(), scope);
    }

    public static IResult Detail(HttpContext context, ISightlineStore store, DefaultProject project, string? fp)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var detail = fp is null ? null : store.GetErrorGroup(scope.ProjectId, fp, scope.From, scope.To, scope.Bucket, 20, scope.Environment);
        if (detail is null) return Layout.Page(context, "Error not found", new Html().Tag("p", "No error group has this fingerprint.", "error").ToString(), scope, status: 404);
        var g = detail.Group;
        var html = new Html().Raw("<section class=\"error-box\">").Tag("h2", g.Type).Tag("p", g.Message).Raw("</section>");
        html.Raw("<div class=\"cards\">");
        Layout.Card(html, "In range", Layout.N(detail.CountInRange), detail.CountInRange > 0 ? "bad" : null);
        Layout.Card(html, "All time", Layout.N(g.Count));
        Layout.Card(html, "First seen", Layout.Ago(g.FirstSeen));
        Layout.Card(html, "Last seen", Layout.Ago(g.LastSeen));
        html.Raw("</div><section class=\"charts\"><div>").Tag("h2", "Occurrences").Raw(Charts.Counts(detail.Series, scope.Bucket, "occurrences")).Raw("</div></section>");
        html.Raw("<section class=\"columns\"><div>").Tag("h2", "Affected endpoints").Table(null, "Endpoint", "Occurrences");
        foreach (var e in detail.Endpoints)
        {
            var space = e.Key.IndexOf(' ', StringComparison.Ordinal);
            html.Raw("<tr><td class=\"route\">").Link(Layout.EndpointHref(e.Key[..space], e.Key[(space + 1)..]), e.Key).Raw("</td>").Tag("td", Layout.N(e.Count), "num").Raw("</tr>");
        }
        html.EndTable(detail.Endpoints.Count).Raw("</div><div>").Tag("h2", "Affected consumers").Table(null, "Consumer", "Occurrences");
        foreach (var c in detail.Consumers)
        {
            html.Raw("<tr><td>");
            if (c.Key.Length == 0) html.Tag("span", "(anonymous)", "muted");
            else html.Link(Layout.ConsumerHref(c.Key), c.Key);
            html.Raw("</td>").Tag("td", Layout.N(c.Count), "num").Raw("</tr>");
        }
        html.EndTable(detail.Consumers.Count).Raw("</div></section>");
        html.Tag("h2", "Sample requests (most recent)");
        RequestsPage.Rows(html, detail.Samples, "No stored request carries this error any more (past retention).");
        return Layout.Page(context, "Error", html.ToString(), scope);
    }
}
