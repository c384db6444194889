using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>
/// The server-rendered dashboard: sign-in, overview, endpoints, request log and request page,
/// errors, consumers, security, instances. No script at all (strict CSP); every captured value is
/// HTML-encoded.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/site.css", () => Results.Text(Styles.Css, "text/css"));
        app.MapGet("/login", (HttpContext context, IAntiforgery antiforgery, string? error) => Page(context, "Sign in", LoginForm(context, antiforgery, error), signedIn: false));
        app.MapPost("/login", LoginAsync);
        app.MapPost("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).RequireAuthorization(AuthSetup.Policy);

        var pages = app.MapGroup("").RequireAuthorization(AuthSetup.Policy);
        pages.MapGet("/", Overview);
        pages.MapGet("/endpoints", Endpoints);
        pages.MapGet("/requests", Requests);
        pages.MapGet("/requests/{id:guid}", RequestPage);
        pages.MapGet("/errors", Errors);
        pages.MapGet("/consumers", Consumers);
        pages.MapGet("/security", Security);
    }

    private static async Task<IResult> LoginAsync(HttpContext context, ISightlineStore store, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Redirect("/login?error=expired");
        }
        var form = await context.Request.ReadFormAsync();
        var user = form["username"].ToString();
        var password = form["password"].ToString();
        if (user.Length == 0 || !store.VerifyUser(user, password)) return Results.Redirect("/login?error=invalid");
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Results.Redirect("/");
    }

    private static string LoginForm(HttpContext context, IAntiforgery antiforgery, string? error)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = new Html().Raw("<form method=\"post\" action=\"/login\" class=\"login\">");
        if (error is not null) html.Tag("p", error == "expired" ? "The form expired; try again." : "Wrong user name or password.", "error");
        html.Raw("<label>User <input name=\"username\" autocomplete=\"username\" required></label>")
            .Raw("<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>")
            .Raw("<input type=\"hidden\" name=\"").Raw(Html.Attr(tokens.FormFieldName)).Raw("\" value=\"").Raw(Html.Attr(tokens.RequestToken)).Raw("\">")
            .Raw("<button type=\"submit\">Sign in</button></form>");
        return html.ToString();
    }

    private static IResult Overview(HttpContext context, ISightlineStore store, DefaultProject project, string? range)
    {
        var (from, to, label) = Range(range);
        var o = store.GetOverview(project.Id, from, to);
        var instances = store.GetInstances(project.Id, DateTimeOffset.UtcNow);
        var html = new Html().Raw(RangePicker("/", label));
        html.Raw("<div class=\"cards\">");
        Card(html, "Requests", o.Requests.ToString("N0", CultureInfo.InvariantCulture));
        Card(html, "Error rate", (o.ErrorRate * 100).ToString("0.##", CultureInfo.InvariantCulture) + " %");
        Card(html, "p50", o.P50Ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms");
        Card(html, "p95", o.P95Ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms");
        Card(html, "p99", o.P99Ms.ToString("0.#", CultureInfo.InvariantCulture) + " ms");
        Card(html, "Avg response", (o.AverageResponseBytes / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KiB");
        html.Raw("</div>");
        html.Tag("h2", "Throughput").Raw(Charts.Traffic(o.Series));
        html.Tag("h2", "Latency").Raw(Charts.Latency(o.Series));
        html.Tag("h2", "Top endpoints");
        EndpointTable(html, o.TopEndpoints);
        html.Tag("h2", "Instances").Raw("<table><tr><th>Service</th><th>Version</th><th>Environment</th><th>Last seen</th><th>State</th></tr>");
        foreach (var i in instances)
        {
            html.Raw("<tr>").Tag("td", i.Service).Tag("td", i.Version).Tag("td", i.Environment).Tag("td", Ago(i.LastSeen))
                .Tag("td", i.Silent ? "silent" : "up", i.Silent ? "bad" : "good").Raw("</tr>");
        }
        html.Raw("</table>");
        return Page(context, "Overview", html.ToString());
    }

    private static IResult Endpoints(HttpContext context, ISightlineStore store, DefaultProject project, string? range)
    {
        var (from, to, label) = Range(range);
        var html = new Html().Raw(RangePicker("/endpoints", label));
        EndpointTable(html, store.GetEndpoints(project.Id, from, to));
        return Page(context, "Endpoints", html.ToString());
    }

    private static void EndpointTable(Html html, IReadOnlyList<EndpointStats> rows)
    {
        html.Raw("<table><tr><th>Method</th><th>Route</th><th>Requests</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th><th>Avg size</th></tr>");
        foreach (var e in rows)
        {
            html.Raw("<tr>").Tag("td", e.Method).Raw("<td>").Link("/requests?route=" + Uri.EscapeDataString(e.Route), e.Route)
                .Raw(e.Requests == 0 && e.FromInventory ? " <span class=\"muted\">(never called)</span>" : "").Raw("</td>")
                .Tag("td", e.Requests.ToString(CultureInfo.InvariantCulture)).Tag("td", (e.ErrorRate * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %")
                .Tag("td", Ms(e.P50Ms)).Tag("td", Ms(e.P95Ms)).Tag("td", Ms(e.P99Ms))
                .Tag("td", (e.AverageResponseBytes / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KiB").Raw("</tr>");
        }
        html.Raw("</table>");
    }

    private static IResult Requests(HttpContext context, ISightlineStore store, DefaultProject project, string? route, string? method, string? statusClass,
        string? consumer, string? q, string? hasError, string? minDurationMs, string? cursor)
    {
        // A GET form sends every field, empty ones as "": numbers are parsed leniently here
        // (typed int?/double? parameters would answer 400 to an untouched filter form).
        return RenderRequests(context, store, project, route, method, ParseInt(statusClass), consumer, q,
            string.Equals(hasError, "true", StringComparison.OrdinalIgnoreCase) ? true : null, ParseDouble(minDurationMs), cursor);
    }

    private static int? ParseInt(string? value) => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static double? ParseDouble(string? value) => double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : null;

    private static IResult RenderRequests(HttpContext context, ISightlineStore store, DefaultProject project, string? route, string? method, int? statusClass,
        string? consumer, string? q, bool? hasError, double? minDurationMs, string? cursor)
    {
        route = NullIfEmpty(route);
        method = NullIfEmpty(method);
        consumer = NullIfEmpty(consumer);
        q = NullIfEmpty(q);
        cursor = NullIfEmpty(cursor);
        var filter = new RequestFilter(null, null, route, method, statusClass is >= 1 and <= 5 ? statusClass : null, consumer, q, hasError, minDurationMs, cursor, 50);
        RequestPage page;
        try
        {
            page = store.SearchRequests(project.Id, filter);
        }
        catch (FormatException)
        {
            page = new RequestPage([], null);
        }
        var html = new Html().Raw("<form method=\"get\" action=\"/requests\" class=\"filters\">")
            .Raw("<input name=\"q\" placeholder=\"path contains\" value=\"").Raw(Html.Attr(q)).Raw("\">")
            .Raw("<input name=\"route\" placeholder=\"route\" value=\"").Raw(Html.Attr(route)).Raw("\">")
            .Raw("<input name=\"method\" placeholder=\"method\" size=\"6\" value=\"").Raw(Html.Attr(method)).Raw("\">")
            .Raw("<input name=\"consumer\" placeholder=\"consumer\" value=\"").Raw(Html.Attr(consumer)).Raw("\">")
            .Raw("<select name=\"statusClass\"><option value=\"\">any status</option>");
        for (var c = 2; c <= 5; c++)
            html.Raw($"<option value=\"{c}\"{(statusClass == c ? " selected" : "")}>{c}xx</option>");
        html.Raw("</select><input name=\"minDurationMs\" placeholder=\"min ms\" size=\"6\" value=\"").Raw(Html.Attr(minDurationMs?.ToString(CultureInfo.InvariantCulture))).Raw("\">")
            .Raw("<label><input type=\"checkbox\" name=\"hasError\" value=\"true\"").Raw(hasError == true ? " checked" : "").Raw("> errors only</label>")
            .Raw("<button type=\"submit\">Filter</button></form>");
        html.Raw("<table class=\"log\"><tr><th>Time (UTC)</th><th>Method</th><th>Path</th><th>Status</th><th>Duration</th><th>Size</th><th>Consumer</th></tr>");
        foreach (var r in page.Items)
        {
            html.Raw("<tr>").Tag("td", r.Timestamp.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)).Tag("td", r.Method)
                .Raw("<td>").Link("/requests/" + r.Id, r.Path).Raw("</td>")
                .Tag("td", r.Status.ToString(CultureInfo.InvariantCulture), r.Status >= 500 || r.HasError ? "bad" : r.Status >= 400 ? "warn" : "good")
                .Tag("td", Ms(r.DurationMs)).Tag("td", r.ResponseSize.ToString("N0", CultureInfo.InvariantCulture) + " B").Tag("td", r.Consumer).Raw("</tr>");
        }
        html.Raw("</table>");
        if (page.NextCursor is not null)
        {
            var query = new Dictionary<string, string?> { ["q"] = q, ["route"] = route, ["method"] = method, ["consumer"] = consumer,
                ["statusClass"] = statusClass?.ToString(CultureInfo.InvariantCulture), ["hasError"] = hasError == true ? "true" : null,
                ["minDurationMs"] = minDurationMs?.ToString(CultureInfo.InvariantCulture), ["cursor"] = page.NextCursor };
            html.Link(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString("/requests", query.Where(kv => kv.Value is not null)!), "Older requests →");
        }
        return Page(context, "Request log", html.ToString(), refreshSeconds: cursor is null ? 10 : null);
    }

    private static IResult RequestPage(HttpContext context, ISightlineStore store, DefaultProject project, Guid id)
    {
        var r = store.GetRequest(project.Id, id);
        if (r is null) return Results.NotFound();
        var html = new Html().Raw("<dl class=\"facts\">");
        Fact(html, "Request", $"{r.Method} {r.Path}{(string.IsNullOrEmpty(r.Query) ? "" : "?" + r.Query.TrimStart('?'))}");
        Fact(html, "Route", r.RouteTemplate);
        Fact(html, "Status", r.Status.ToString(CultureInfo.InvariantCulture));
        Fact(html, "Duration", Ms(r.DurationNs / 1_000_000.0));
        Fact(html, "Time", r.Timestamp.ToString("u", CultureInfo.InvariantCulture));
        Fact(html, "Sizes", $"request {r.RequestSize:N0} B, response {r.ResponseSize:N0} B");
        Fact(html, "Client", $"{r.ClientIp} {r.UserAgent}");
        Fact(html, "Consumer", r.Consumer is null ? null : $"{r.Consumer.Identifier} {r.Consumer.Name} ({r.Consumer.Group})");
        Fact(html, "Trace", r.TraceId);
        html.Raw("</dl>");
        foreach (var error in r.Errors ?? [])
        {
            html.Tag("h2", (error.Handled ? "Handled error: " : "Unhandled error: ") + error.Type).Tag("p", error.Message).Tag("pre", error.StackTrace);
            foreach (var inner in error.Inner ?? []) html.Tag("h3", "Inner: " + inner.Type).Tag("p", inner.Message).Tag("pre", inner.StackTrace);
        }
        if (r.ValidationErrors is { Count: > 0 })
        {
            html.Tag("h2", "Validation errors").Raw("<table><tr><th>Field</th><th>Messages</th></tr>");
            foreach (var v in r.ValidationErrors) html.Raw("<tr>").Tag("td", v.Field).Tag("td", string.Join(" ", v.Messages)).Raw("</tr>");
            html.Raw("</table>");
        }
        Headers(html, "Request headers", r.RequestHeaders);
        Body(html, "Request body", r.RequestBody);
        Headers(html, "Response headers", r.ResponseHeaders);
        Body(html, "Response body", r.ResponseBody);
        if (r.Outgoing is { Count: > 0 })
        {
            html.Tag("h2", "Outgoing calls").Raw("<ul class=\"timeline\">");
            foreach (var child in r.Outgoing)
                html.Raw("<li>").Text($"+{(child.Timestamp - r.Timestamp).TotalMilliseconds:0} ms {child.Method} {child.Url ?? child.Host} → {child.Status} in {child.DurationNs / 1_000_000.0:0.#} ms").Raw("</li>");
            html.Raw("</ul>");
        }
        return Page(context, "Request", html.ToString());
    }

    private static IResult Errors(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var html = new Html().Raw("<table><tr><th>Type</th><th>Message</th><th>Count</th><th>First seen</th><th>Last seen</th><th>Sample</th></tr>");
        foreach (var e in store.GetErrorGroups(project.Id))
        {
            html.Raw("<tr>").Tag("td", e.Type).Tag("td", e.Message).Tag("td", e.Count.ToString(CultureInfo.InvariantCulture))
                .Tag("td", Ago(e.FirstSeen)).Tag("td", Ago(e.LastSeen)).Raw("<td>");
            if (e.LastRecord is { } id) html.Link("/requests/" + id, "request");
            html.Raw("</td></tr>");
        }
        return Page(context, "Errors", html.Raw("</table>").ToString());
    }

    private static IResult Consumers(HttpContext context, ISightlineStore store, DefaultProject project, string? range)
    {
        var (from, to, label) = Range(range);
        var html = new Html().Raw(RangePicker("/consumers", label)).Raw("<table><tr><th>Consumer</th><th>Name</th><th>Group</th><th>Requests</th><th>Errors</th><th>Last seen</th></tr>");
        foreach (var c in store.GetConsumers(project.Id, from, to))
        {
            html.Raw("<tr><td>").Link("/requests?consumer=" + Uri.EscapeDataString(c.Identifier), c.Identifier).Raw("</td>")
                .Tag("td", c.Name).Tag("td", c.Group).Tag("td", c.Requests.ToString(CultureInfo.InvariantCulture))
                .Tag("td", c.Errors.ToString(CultureInfo.InvariantCulture)).Tag("td", Ago(c.LastSeen)).Raw("</tr>");
        }
        return Page(context, "Consumers", html.Raw("</table>").ToString());
    }

    private static IResult Security(HttpContext context, ISightlineStore store, DefaultProject project)
    {
        var html = new Html().Raw("<table><tr><th>Time (UTC)</th><th>Reason</th><th>Key prefix</th><th>Client IP</th><th>Request</th></tr>");
        foreach (var e in store.GetSecurityEvents(project.Id))
            html.Raw("<tr>").Tag("td", e.Timestamp.ToString("u", CultureInfo.InvariantCulture)).Tag("td", e.Reason).Tag("td", e.KeyPrefix)
                .Tag("td", e.ClientIp).Tag("td", $"{e.Method} {e.Path}").Raw("</tr>");
        return Page(context, "Security", html.Raw("</table>").ToString());
    }

    private static void Headers(Html html, string title, Dictionary<string, string>? headers)
    {
        if (headers is null || headers.Count == 0) return;
        html.Tag("h2", title).Raw("<table class=\"headers\">");
        foreach (var (name, value) in headers) html.Raw("<tr>").Tag("th", name).Tag("td", value).Raw("</tr>");
        html.Raw("</table>");
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

    private static void Card(Html html, string label, string value) => html.Raw("<div class=\"card\">").Tag("span", label, "label").Tag("strong", value).Raw("</div>");

    private static void Fact(Html html, string label, string? value) => html.Tag("dt", label).Tag("dd", value);

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "0.##" : "0", CultureInfo.InvariantCulture) + " ms";

    private static string Ago(DateTimeOffset t)
    {
        var d = DateTimeOffset.UtcNow - t;
        return d.TotalSeconds < 90 ? $"{Math.Max(0, (int)d.TotalSeconds)} s ago" : d.TotalMinutes < 90 ? $"{(int)d.TotalMinutes} min ago" : d.TotalHours < 48 ? $"{(int)d.TotalHours} h ago" : t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    private static (DateTimeOffset From, DateTimeOffset To, string Label) Range(string? range)
    {
        var to = DateTimeOffset.UtcNow.AddMinutes(1);
        return range switch
        {
            "15m" => (to.AddMinutes(-15), to, "15m"),
            "24h" => (to.AddHours(-24), to, "24h"),
            "7d" => (to.AddDays(-7), to, "7d"),
            _ => (to.AddHours(-1), to, "1h"),
        };
    }

    private static string RangePicker(string path, string current)
    {
        var html = new Html().Raw("<nav class=\"range\">");
        foreach (var r in new[] { "15m", "1h", "24h", "7d" })
        {
            if (r == current) html.Tag("strong", r);
            else html.Link($"{path}?range={r}", r);
        }
        return html.Raw("</nav>").ToString();
    }

    private static IResult Page(HttpContext context, string title, string body, bool signedIn = true, int? refreshSeconds = null)
    {
        var html = new Html().Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds is { } s) html.Raw($"<meta http-equiv=\"refresh\" content=\"{s}\">");
        html.Raw("<title>").Text(title).Raw(" · Sightline</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body><header><a class=\"brand\" href=\"/\">Sightline</a>");
        if (signedIn)
        {
            html.Raw("<nav>");
            foreach (var (href, label) in new[] { ("/", "Overview"), ("/endpoints", "Endpoints"), ("/requests", "Requests"), ("/errors", "Errors"), ("/consumers", "Consumers"), ("/security", "Security") })
                html.Link(href, label);
            var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
            html.Raw("</nav><form method=\"post\" action=\"/logout\" class=\"logout\"><input type=\"hidden\" name=\"").Raw(Html.Attr(tokens.FormFieldName))
                .Raw("\" value=\"").Raw(Html.Attr(tokens.RequestToken)).Raw("\"><button type=\"submit\">Sign out ").Text(context.User.Identity?.Name).Raw("</button></form>");
        }
        html.Raw("</header><main>").Tag("h1", title).Raw(body).Raw("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8");
    }
}
