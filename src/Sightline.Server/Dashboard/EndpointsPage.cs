using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>Every endpoint (inventory and traffic) with its numbers, and one endpoint's page.</summary>
internal static class EndpointsPage
{
    public static IResult List(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var all = store.GetEndpoints(scope.ProjectId, scope.From, scope.To);
        IReadOnlyList<EndpointStats> rows = all;
        if (scope.Environment is not null)
        {
            // Traffic of the chosen environment, plus the never-called endpoints from the inventory.
            var inEnvironment = store.GetTraffic(scope.ProjectId, scope.Traffic(), scope.From, scope.To, scope.To - scope.From).Endpoints;
            rows = inEnvironment.Concat(all.Where(e => e.FromInventory && !inEnvironment.Any(x => x.Method == e.Method && x.Route == e.Route))
                .Select(e => e with { Requests = 0, Errors = 0, ErrorRate = 0, P50Ms = 0, P95Ms = 0, P99Ms = 0, AverageResponseBytes = 0 })).ToList();
        }
        var html = new Html();
        Table(html, rows, scope.Range, "No endpoints yet: they appear when an SDK reports its routes or traffic.");
        return Layout.Page(context, "Endpoints", html.ToString(), scope);
    }

    /// <summary>The endpoint table used here and on the overview.</summary>
    public static void Table(Html html, IReadOnlyList<EndpointStats> rows, string range, string empty = "Nothing in this range.")
    {
        html.Table("endpoints", "Endpoint", "Requests", "Error rate", "p50", "p95", "p99", "Avg size");
        foreach (var e in rows)
        {
            html.Raw("<tr><td class=\"route\">").Tag("span", e.Method, "method").Raw(" ")
                .Link(Layout.EndpointHref(e.Method, e.Route) + "&range=" + range, e.Route)
                .Raw(e.Requests == 0 && e.FromInventory ? " <span class=\"muted\">(never called)</span>" : "").Raw("</td>")
                .Tag("td", Layout.N(e.Requests), "num").Tag("td", Layout.Pct(e.ErrorRate), e.ErrorRate > 0.05 ? "num bad" : "num")
                .Tag("td", Layout.Ms(e.P50Ms), "num").Tag("td", Layout.Ms(e.P95Ms), "num").Tag("td", Layout.Ms(e.P99Ms), "num")
                .Tag("td", Layout.Bytes(e.AverageResponseBytes), "num").Raw("</tr>");
        }
        html.EndTable(rows.Count, empty);
    }

    /// <summary>A narrow endpoint table (for the overview's columns): endpoint, requests, error rate, p95.</summary>
    public static void Compact(Html html, IReadOnlyList<EndpointStats> rows, string range, string empty = "Nothing in this range.")
    {
        html.Table("endpoints compact", "Endpoint", "Requests", "Errors", "p95");
        foreach (var e in rows)
        {
            html.Raw("<tr><td class=\"route\">").Tag("span", e.Method, "method").Raw(" ").Link(Layout.EndpointHref(e.Method, e.Route) + "&range=" + range, e.Route).Raw("</td>")
                .Tag("td", Layout.N(e.Requests), "num").Tag("td", Layout.Pct(e.ErrorRate), e.ErrorRate > 0.05 ? "num bad" : "num").Tag("td", Layout.Ms(e.P95Ms), "num").Raw("</tr>");
        }
        html.EndTable(rows.Count, empty);
    }

    public static IResult Detail(HttpContext context, ISightlineStore store, DefaultProject project, string? method, string? route)
    {
        var scope = ViewScope.Resolve(context, store, project);
        if (string.IsNullOrEmpty(method) || route is null)
            return Layout.Page(context, "Endpoint", new Html().Tag("p", "Choose an endpoint from the list.", "error").ToString(), scope, status: 400);
        var t = store.GetTraffic(scope.ProjectId, scope.Traffic(method, route), scope.From, scope.To, scope.Bucket);
        var html = new Html().Raw("<p class=\"subtitle\">").Tag("span", method, "method").Raw(" ").Tag("code", route).Raw(" · ")
            .Link("/requests?method=" + Uri.EscapeDataString(method) + "&route=" + Uri.EscapeDataString(route), "its requests in the log").Raw("</p>");
        html.Raw("<div class=\"cards\">");
        Layout.Card(html, "Requests", Layout.N(t.Totals.Requests));
        Layout.Card(html, "Error rate", Layout.Pct(t.Totals.ErrorRate), t.Totals.ErrorRate > 0.05 ? "bad" : null);
        Layout.Card(html, "p50", Layout.Ms(t.Totals.P50Ms));
        Layout.Card(html, "p95", Layout.Ms(t.Totals.P95Ms));
        Layout.Card(html, "p99", Layout.Ms(t.Totals.P99Ms));
        Layout.Card(html, "Avg response", Layout.Bytes(t.Totals.AverageResponseBytes));
        html.Raw("</div>");
        html.Raw("<section class=\"charts\"><div>").Tag("h2", "Traffic").Raw(Charts.Traffic(t.Series, scope.Bucket)).Raw("</div><div>")
            .Tag("h2", "Latency").Raw(Charts.Latency(t.Series, scope.Bucket)).Raw("</div></section>");
        html.Raw("<section class=\"columns\"><div>").Tag("h2", "Status codes")
            .Raw(Charts.Breakdown(t.Statuses.Select(s => (s.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), s.Requests, StatusClass(s.Status))).ToList(), "Requests per status code"));
        html.Raw("</div><div>").Tag("h2", "Consumers").Table(null, "Consumer", "Requests", "Errors", "p95");
        foreach (var c in t.Consumers)
        {
            html.Raw("<tr><td>");
            if (c.Identifier.Length == 0) html.Tag("span", "(anonymous)", "muted");
            else html.Link(Layout.ConsumerHref(c.Identifier), c.Identifier);
            html.Raw("</td>").Tag("td", Layout.N(c.Requests), "num").Tag("td", Layout.N(c.Errors), c.Errors > 0 ? "num bad" : "num").Tag("td", Layout.Ms(c.P95Ms), "num").Raw("</tr>");
        }
        html.EndTable(t.Consumers.Count).Raw("</div></section>");
        var slowest = store.GetSlowestRequests(scope.ProjectId, method, route, scope.From, scope.To, 10);
        html.Tag("h2", "Slowest requests");
        RequestsPage.Rows(html, slowest, "No stored requests in this range.");
        return Layout.Page(context, "Endpoint", html.ToString(), scope);
    }

    public static string StatusClass(int status) => status >= 500 ? "bar-error" : status >= 400 ? "bar-warn" : "bar";
}
