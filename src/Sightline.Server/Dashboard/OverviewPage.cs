using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>Overview: totals, throughput and latency charts, top endpoints by traffic, errors and latency, SDK instances.</summary>
internal static class OverviewPage
{
    public static IResult Render(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var t = store.GetTraffic(scope.ProjectId, scope.Traffic(), scope.From, scope.To, scope.Bucket);
        var html = new Html().Raw("<div class=\"cards\">");
        Layout.Card(html, "Requests", Layout.N(t.Totals.Requests));
        Layout.Card(html, "Error rate", Layout.Pct(t.Totals.ErrorRate), t.Totals.ErrorRate > 0.05 ? "bad" : null);
        Layout.Card(html, "p50", Layout.Ms(t.Totals.P50Ms));
        Layout.Card(html, "p95", Layout.Ms(t.Totals.P95Ms));
        Layout.Card(html, "p99", Layout.Ms(t.Totals.P99Ms));
        Layout.Card(html, "Throughput", (t.Totals.Requests / Math.Max(1, (scope.To - scope.From).TotalMinutes)).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + " /min");
        html.Raw("</div>");
        html.Raw("<section class=\"charts\"><div>").Tag("h2", "Throughput").Raw(Charts.Traffic(t.Series, scope.Bucket)).Raw("</div><div>")
            .Tag("h2", "Latency").Raw(Charts.Latency(t.Series, scope.Bucket)).Raw("</div></section>");
        html.Raw("<section class=\"columns\"><div>").Tag("h2", "Top endpoints by traffic");
        EndpointsPage.Compact(html, t.Endpoints.Take(10).ToList(), scope.Range);
        html.Raw("</div><div>").Tag("h2", "Top endpoints by errors");
        EndpointsPage.Compact(html, t.Endpoints.Where(e => e.Errors > 0).OrderByDescending(e => e.Errors).Take(10).ToList(), scope.Range, "No errors in this range.");
        html.Raw("</div><div>").Tag("h2", "Slowest endpoints (p95)");
        EndpointsPage.Compact(html, t.Endpoints.OrderByDescending(e => e.P95Ms).Take(10).ToList(), scope.Range);
        html.Raw("</div></section>");
        var instances = store.GetInstances(scope.ProjectId, DateTimeOffset.UtcNow).Where(i => scope.Environment is null || i.Environment == scope.Environment).ToList();
        html.Tag("h2", "SDK instances").Table(null, "Service", "Version", "Environment", "Instance", "Last seen", "State");
        foreach (var i in instances)
        {
            html.Raw("<tr>").Tag("td", i.Service).Tag("td", i.Version).Tag("td", i.Environment).Tag("td", i.Instance, "mono").Tag("td", Layout.Ago(i.LastSeen))
                .Tag("td", i.Silent ? "silent" : "up", i.Silent ? "bad" : "good").Raw("</tr>");
        }
        html.EndTable(instances.Count, "No SDK has reported yet.");
        return Layout.Page(context, "Overview", html.ToString(), scope);
    }
}
