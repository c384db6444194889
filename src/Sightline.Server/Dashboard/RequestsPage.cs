using System.Globalization;
using System.Text.Json;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>The request log explorer (the query API's filters, refreshed every 10 s on its first page) and the request page.</summary>
internal static class RequestsPage
{
    /// <summary>
    /// A GET form sends every field, empty ones as "": numbers are parsed leniently here
    /// (typed int?/double? parameters would answer 400 to an untouched filter form).
    /// </summary>
    public static IResult List(HttpContext context, ISightlineStore store, DefaultProject project, string? route, string? method, string? statusClass,
        string? consumer, string? q, string? hasError, string? minDurationMs, string? cursor)
    {
        var scope = ViewScope.Resolve(context, store, project);
        route = Layout.NullIfEmpty(route);
        method = Layout.NullIfEmpty(method)?.ToUpperInvariant();
        consumer = Layout.NullIfEmpty(consumer);
        q = Layout.NullIfEmpty(q);
        cursor = Layout.NullIfEmpty(cursor);
        var status = int.TryParse(statusClass, NumberStyles.Integer, CultureInfo.InvariantCulture, out var sc) && sc is >= 1 and <= 5 ? sc : (int?)null;
        var errorsOnly = string.Equals(hasError, "true", StringComparison.OrdinalIgnoreCase) ? true : (bool?)null;
        var minMs = double.TryParse(minDurationMs, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0 ? ms : (double?)null;
        var filter = new RequestFilter(scope.From, scope.To, route, method, status, consumer, q, errorsOnly, minMs, cursor, 50, scope.Environment);
        RequestPage page;
        string? problem = null;
        try
        {
            page = store.SearchRequests(scope.ProjectId, filter);
        }
        catch (FormatException)
        {
            page = new RequestPage([], null);
            problem = "That page link is no longer valid; showing nothing. Start again from the first page.";
        }
        var html = new Html().Raw("<form method=\"get\" action=\"/requests\" class=\"filters\">")
            .Raw("<label>Path contains <input name=\"q\" value=\"").Raw(Html.Attr(q)).Raw("\"></label>")
            .Raw("<label>Route <input name=\"route\" value=\"").Raw(Html.Attr(route)).Raw("\"></label>")
            .Raw("<label>Method <input name=\"method\" size=\"6\" value=\"").Raw(Html.Attr(method)).Raw("\"></label>")
            .Raw("<label>Consumer <input name=\"consumer\" value=\"").Raw(Html.Attr(consumer)).Raw("\"></label>")
            .Raw("<label>Status <select name=\"statusClass\"><option value=\"\">any</option>");
        for (var c = 1; c <= 5; c++)
            html.Raw(CultureInfo.InvariantCulture, $"<option value=\"{c}\"{(status == c ? " selected" : "")}>{c}xx</option>");
        html.Raw("</select></label><label>Min ms <input name=\"minDurationMs\" size=\"6\" inputmode=\"decimal\" value=\"").Raw(Html.Attr(minMs?.ToString(CultureInfo.InvariantCulture))).Raw("\"></label>")
            .Raw("<label class=\"check\"><input type=\"checkbox\" name=\"hasError\" value=\"true\"").Raw(errorsOnly == true ? " checked" : "").Raw("> errors only</label>")
            .Raw("<button type=\"submit\">Filter</button> <a href=\"/requests\">clear</a></form>");
        if (problem is not null) html.Tag("p", problem, "error");
        Rows(html, page.Items, "No requests match in this range.");
        if (page.NextCursor is not null)
        {
            var query = new Dictionary<string, string?>
            {
                ["q"] = q, ["route"] = route, ["method"] = method, ["consumer"] = consumer, ["statusClass"] = status?.ToString(CultureInfo.InvariantCulture),
                ["hasError"] = errorsOnly == true ? "true" : null, ["minDurationMs"] = minMs?.ToString(CultureInfo.InvariantCulture), ["cursor"] = page.NextCursor,
            };
            html.Raw("<p class=\"pager\">").Link(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/requests", query.Where(kv => kv.Value is not null)), "Older requests →").Raw("</p>");
        }
        if (cursor is null) html.Tag("p", "This page refreshes every 10 seconds.", "muted");
        return Layout.Page(context, "Request log", html.ToString(), scope, refreshSeconds: cursor is null ? 10 : null);
    }

    /// <summary>Rows of requests, each linking to its page.</summary>
    public static void Rows(Html html, IReadOnlyList<RequestSummary> items, string empty)
    {
        html.Table("log", "Time (UTC)", "Method", "Path", "Status", "Duration", "Size", "Consumer");
        foreach (var r in items)
        {
            html.Raw("<tr>").Tag("td", r.Timestamp.UtcDateTime.ToString("MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), "nowrap").Tag("td", r.Method, "method")
                .Raw("<td class=\"path\">").Link("/requests/" + r.Id, r.Path).Raw("</td>")
                .Tag("td", r.Status.ToString(CultureInfo.InvariantCulture), r.Status >= 500 || r.HasError ? "num bad" : r.Status >= 400 ? "num warn" : "num good")
                .Tag("td", Layout.Ms(r.DurationMs), "num").Tag("td", Layout.Bytes(r.ResponseSize), "num").Raw("<td>");
            if (r.Consumer is not null) html.Link(Layout.ConsumerHref(r.Consumer), r.Consumer);
            html.Raw("</td></tr>");
        }
        html.EndTable(items.Count, empty);
    }

    public static IResult Detail(HttpContext context, ISightlineStore store, DefaultProject project, Guid id)
    {
        var scope = ViewScope.Resolve(context, store, project);
        var r = store.GetRequest(scope.ProjectId, id);
        if (r is null) return Layout.Page(context, "Request not found", new Html().Tag("p", "No stored request has this id (it may be past retention).", "error").ToString(), status: 404);
        var html = new Html().Raw("<dl class=\"facts\">");
        Fact(html, "Request", $"{r.Method} {r.Path}{(string.IsNullOrEmpty(r.Query) ? "" : "?" + r.Query.TrimStart('?'))}");
        html.Tag("dt", "Route").Raw("<dd>").Link(Layout.EndpointHref(r.Method, r.RouteTemplate), r.RouteTemplate).Raw("</dd>");
        html.Tag("dt", "Status").Tag("dd", r.Status.ToString(CultureInfo.InvariantCulture), r.Status >= 500 ? "bad" : r.Status >= 400 ? "warn" : "good");
        Fact(html, "Duration", Layout.Ms(r.DurationNs / 1_000_000.0));
        Fact(html, "Time (UTC)", r.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture));
        Fact(html, "Sizes", $"request {r.RequestSize:N0} B, response {r.ResponseSize:N0} B");
        Fact(html, "Client", $"{r.ClientIp} {r.UserAgent}");
        if (r.Consumer is { } consumer)
        {
            html.Tag("dt", "Consumer").Raw("<dd>").Link(Layout.ConsumerHref(consumer.Identifier), consumer.Identifier)
                .Text(consumer.Name is null ? "" : " — " + consumer.Name).Text(consumer.Group is null ? "" : " (" + consumer.Group + ")").Raw("</dd>");
        }
        if (r.Service is { } service) Fact(html, "Service", $"{service.Name} {service.Version} {service.Environment}");
        if (r.TraceId is not null) Fact(html, "Trace", r.TraceId);
        html.Raw("</dl>");
        foreach (var error in r.Errors ?? [])
        {
            html.Raw("<section class=\"error-box\">").Tag("h2", (error.Handled ? "Handled error: " : "Unhandled error: ") + error.Type).Tag("p", error.Message);
            if (error.Fingerprint is not null || error.Type.Length > 0)
                html.Raw("<p>").Link("/errors/view?fp=" + Uri.EscapeDataString(error.Fingerprint ?? error.Type), "all occurrences of this error").Raw("</p>");
            if (error.StackTrace is not null) html.Tag("pre", error.StackTrace);
            foreach (var inner in error.Inner ?? []) html.Tag("h3", "Inner: " + inner.Type).Tag("p", inner.Message).Tag("pre", inner.StackTrace);
            html.Raw("</section>");
        }
        if (r.ValidationErrors is { Count: > 0 })
        {
            html.Tag("h2", "Validation errors").Table(null, "Field", "Messages");
            foreach (var v in r.ValidationErrors) html.Raw("<tr>").Tag("td", v.Field).Tag("td", string.Join(" ", v.Messages)).Raw("</tr>");
            html.EndTable(r.ValidationErrors.Count);
        }
        if (r.Outgoing is { Count: > 0 }) Timeline(html, r);
        Headers(html, "Request headers", r.RequestHeaders);
        Body(html, "Request body", r.RequestBody);
        Headers(html, "Response headers", r.ResponseHeaders);
        Body(html, "Response body", r.ResponseBody);
        return Layout.Page(context, "Request", html.ToString());
    }

    /// <summary>The outgoing calls as a waterfall under their parent request (SVG, one row each) and as a list.</summary>
    private static void Timeline(Html html, RequestRecord parent)
    {
        var calls = parent.Outgoing!.OrderBy(c => c.Timestamp).ToList();
        var total = Math.Max(parent.DurationNs / 1_000_000.0, calls.Max(c => (c.Timestamp - parent.Timestamp).TotalMilliseconds + c.DurationNs / 1_000_000.0));
        total = Math.Max(total, 0.001);
        const int width = 800, row = 22, label = 0;
        html.Tag("h2", $"Outgoing calls ({calls.Count})");
        html.Raw(CultureInfo.InvariantCulture, $"<svg class=\"chart waterfall\" viewBox=\"0 0 {width} {(calls.Count + 1) * row + 4}\" role=\"img\" aria-label=\"Outgoing calls on the request's timeline\">");
        html.Raw("<g><title>").Text($"{parent.Method} {parent.Path} — {parent.DurationNs / 1_000_000.0:0.##} ms").Raw("</title>")
            .Raw(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{label}\" y=\"4\" width=\"{(width - label) * (parent.DurationNs / 1_000_000.0) / total:0.#}\" height=\"{row - 6}\"/>")
            .Raw(CultureInfo.InvariantCulture, $"<text class=\"tick big\" x=\"6\" y=\"{row - 6}\">").Text($"{parent.Method} {parent.Path}").Raw("</text></g>");
        for (var i = 0; i < calls.Count; i++)
        {
            var c = calls[i];
            var start = Math.Max(0, (c.Timestamp - parent.Timestamp).TotalMilliseconds);
            var duration = c.DurationNs / 1_000_000.0;
            var x = (width - label) * start / total;
            var y = (i + 1) * row + 4;
            html.Raw("<g><title>").Text($"+{start:0.##} ms {c.Method} {c.Url ?? c.Host} → {c.Status} in {duration:0.##} ms").Raw("</title>")
                .Raw(CultureInfo.InvariantCulture, $"<rect class=\"{(c.Status == 0 || c.Status >= 500 ? "bar-error" : "p95")}\" x=\"{x:0.#}\" y=\"{y}\" width=\"{Math.Max(2, (width - label) * duration / total):0.#}\" height=\"{row - 6}\"/>")
                .Raw(CultureInfo.InvariantCulture, $"<text class=\"tick big\" x=\"{Math.Min(x + 6, width - 300):0.#}\" y=\"{y + row - 10}\">").Text($"{c.Method} {c.Host} {c.Status} {duration:0.#} ms").Raw("</text></g>");
        }
        html.Raw("</svg><ul class=\"timeline\">");
        foreach (var c in calls)
        {
            html.Raw("<li>").Tag("span", $"+{Math.Max(0, (c.Timestamp - parent.Timestamp).TotalMilliseconds):0.#} ms", "muted").Raw(" ")
                .Tag("span", c.Method, "method").Raw(" ").Tag("span", c.Url ?? c.Host, "path").Raw(" → ")
                .Tag("span", c.Status == 0 ? "no response" : c.Status.ToString(CultureInfo.InvariantCulture), c.Status == 0 || c.Status >= 500 ? "bad" : c.Status >= 400 ? "warn" : "good")
                .Text($" in {c.DurationNs / 1_000_000.0:0.#} ms");
            foreach (var e in c.Errors ?? []) html.Raw(" ").Tag("span", e.Type + ": " + e.Message, "bad");
            html.Raw("</li>");
        }
        html.Raw("</ul>");
    }

    private static void Fact(Html html, string label, string? value) => html.Tag("dt", label).Tag("dd", value);

    private static void Headers(Html html, string title, Dictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0) return;
        html.Tag("h2", title).Raw("<dl class=\"facts headers\">");
        foreach (var (name, value) in headers) html.Tag("dt", name).Tag("dd", value, "mono");
        html.Raw("</dl>");
    }

    private static void Body(Html html, string title, CapturedBody? body)
    {
        if (body is null) return;
        html.Tag("h2", title + (body.Truncated ? " (truncated)" : ""));
        if (body.Content is null)
        {
            html.Tag("p", $"Not captured: {body.Omitted} ({body.ContentType})", "muted");
            return;
        }
        html.Tag("pre", Pretty(body.Content, body.ContentType), "body");
    }

    private static string Pretty(string content, string? contentType)
    {
        if (contentType is null || !contentType.Contains("json", StringComparison.OrdinalIgnoreCase)) return content;
        try
        {
            using var doc = JsonDocument.Parse(content);
            return JsonSerializer.Serialize(doc.RootElement, s_pretty);
        }
        catch (JsonException)
        {
            return content; // a truncated body is shown as captured
        }
    }

    private static readonly JsonSerializerOptions s_pretty = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
