using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>Consumers by name and group with their traffic, and one consumer's page (traffic, errors, endpoints).</summary>
internal static class ConsumersPage
{
    public static IResult List(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var consumers = store.GetConsumers(scope.ProjectId, scope.From, scope.To, scope.Environment);
        var html = new Html();
        foreach (var group in consumers.GroupBy(c => c.Group ?? "").OrderBy(g => g.Key.Length == 0).ThenBy(g => g.Key, StringComparer.Ordinal))
        {
            html.Tag("h2", group.Key.Length == 0 ? "No group" : "Group: " + group.Key).Table("consumers", "Consumer", "Name", "Requests", "Errors", "Error rate", "Last seen");
            foreach (var c in group)
            {
                html.Raw("<tr><td>").Link(Layout.ConsumerHref(c.Identifier), c.Identifier).Raw("</td>").Tag("td", c.Name)
                    .Tag("td", Layout.N(c.Requests), "num").Tag("td", Layout.N(c.Errors), c.Errors > 0 ? "num bad" : "num")
                    .Tag("td", Layout.Pct(c.Requests == 0 ? 0 : (double)c.Errors / c.Requests), "num").Tag("td", Layout.Ago(c.LastSeen), "nowrap").Raw("</tr>");
            }
            html.EndTable(group.Count());
        }
        if (consumers.Count == 0) html.Tag("p", "No consumers yet: the SDK reports them when the app identifies callers (SetSightlineConsumer or a claim).", "muted empty");
        return Layout.Page(context, "Consumers", html.ToString(), scope);
    }

    public static IResult Detail(HttpContext context, ISightlineStore store, DefaultProject project, string? id)
    {
        var scope = ViewScope.Resolve(context, store, project);
        if (string.IsNullOrEmpty(id)) return Layout.Page(context, "Consumer", new Html().Tag("p", "Choose a consumer from the list.", "error").ToString(), scope, status: 400);
        var t = store.GetTraffic(scope.ProjectId, scope.Traffic(consumer: id), scope.From, scope.To, scope.Bucket);
        var known = store.GetConsumers(scope.ProjectId, scope.From, scope.To, scope.Environment).FirstOrDefault(c => c.Identifier == id);
        var html = new Html().Raw("<p class=\"subtitle\">").Tag("code", id);
        if (known is not null) html.Text(known.Name is null ? "" : " — " + known.Name).Text(known.Group is null ? "" : " (" + known.Group + ")").Text(" · last seen " + Layout.Ago(known.LastSeen));
        html.Raw(" · ").Link("/requests?consumer=" + Uri.EscapeDataString(id), "its requests in the log").Raw(" · ")
            .Link("/requests?hasError=true&consumer=" + Uri.EscapeDataString(id), "its failed requests").Raw("</p>");
        html.Raw("<div class=\"cards\">");
        Layout.Card(html, "Requests", Layout.N(t.Totals.Requests));
        Layout.Card(html, "Errors", Layout.N(t.Totals.Errors), t.Totals.Errors > 0 ? "bad" : null);
        Layout.Card(html, "Error rate", Layout.Pct(t.Totals.ErrorRate));
        Layout.Card(html, "p95", Layout.Ms(t.Totals.P95Ms));
        html.Raw("</div>");
        html.Raw("<section class=\"charts\"><div>").Tag("h2", "Traffic").Raw(Charts.Traffic(t.Series, scope.Bucket)).Raw("</div><div>")
            .Tag("h2", "Latency").Raw(Charts.Latency(t.Series, scope.Bucket)).Raw("</div></section>");
        html.Tag("h2", "Endpoints it calls");
        EndpointsPage.Table(html, t.Endpoints, scope.Range);
        return Layout.Page(context, "Consumer", html.ToString(), scope);
    }
}
