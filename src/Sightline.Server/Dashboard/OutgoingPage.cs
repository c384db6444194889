using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>External hosts the app calls: volume, errors and latency percentiles, from the outgoing-call rollups.</summary>
internal static class OutgoingPage
{
    public static IResult Render(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var report = store.GetOutgoing(scope.ProjectId, scope.Environment, scope.From, scope.To, scope.Bucket);
        var html = new Html().Raw("<section class=\"charts\"><div>").Tag("h2", "Calls").Raw(Charts.Traffic(report.Series, scope.Bucket, "calls")).Raw("</div><div>")
            .Tag("h2", "Latency").Raw(Charts.Latency(report.Series, scope.Bucket)).Raw("</div></section>");
        html.Tag("h2", "Hosts").Table("hosts", "Host", "Calls", "Errors", "Error rate", "p50", "p95", "p99", "Max");
        foreach (var h in report.Hosts)
        {
            html.Raw("<tr>").Tag("td", h.Host, "path").Tag("td", Layout.N(h.Calls), "num").Tag("td", Layout.N(h.Errors), h.Errors > 0 ? "num bad" : "num")
                .Tag("td", Layout.Pct(h.ErrorRate), "num").Tag("td", Layout.Ms(h.P50Ms), "num").Tag("td", Layout.Ms(h.P95Ms), "num")
                .Tag("td", Layout.Ms(h.P99Ms), "num").Tag("td", Layout.Ms(h.MaxMs), "num").Raw("</tr>");
        }
        html.EndTable(report.Hosts.Count, "No outgoing calls in this range (the SDK records HttpClient calls made by the app).");
        return Layout.Page(context, "Outgoing calls", html.ToString(), scope);
    }
}
