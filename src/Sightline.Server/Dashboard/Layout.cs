using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;

namespace Sightline.Server.Dashboard;

/// <summary>The page frame (header, navigation, scope form) and the small formatting helpers every page uses.</summary>
internal static class Layout
{
    private static readonly (string Href, string Label)[] s_nav =
    [
        ("/", "Overview"), ("/endpoints", "Endpoints"), ("/requests", "Requests"), ("/errors", "Errors"), ("/consumers", "Consumers"),
        ("/outgoing", "Outgoing"), ("/security", "Security"), ("/uptime", "Uptime"), ("/alerts", "Alerts"), ("/settings", "Settings"),
    ];

    /// <summary>A full HTML page. <paramref name="scope"/> adds the project/environment/range form.</summary>
    public static IResult Page(HttpContext context, string title, string body, ViewScope? scope = null, bool signedIn = true, int? refreshSeconds = null, int status = 200)
    {
        var html = new Html().Raw("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        if (refreshSeconds is { } s) html.Raw($"<meta http-equiv=\"refresh\" content=\"{s}\">");
        html.Raw("<title>").Text(title).Raw(" · Sightline</title><link rel=\"stylesheet\" href=\"/assets/site.css\"></head><body><header><a class=\"brand\" href=\"/\">Sightline</a>");
        if (signedIn)
        {
            var current = context.Request.Path.Value ?? "/";
            html.Raw("<nav>");
            foreach (var (href, label) in s_nav)
            {
                var active = href == "/" ? current == "/" : current.StartsWith(href, StringComparison.Ordinal);
                html.Raw(active ? "<a class=\"active\" href=\"" : "<a href=\"").Raw(Html.Attr(href)).Raw("\">").Text(label).Raw("</a>");
            }
            html.Raw("</nav><form method=\"post\" action=\"/logout\" class=\"logout\">").Raw(Antiforgery(context))
                .Raw("<button type=\"submit\">Sign out ").Text(context.User.Identity?.Name).Raw("</button></form>");
        }
        html.Raw("</header><main>");
        html.Raw("<div class=\"title\">").Tag("h1", title);
        if (scope is not null) ScopeForm(html, context, scope);
        html.Raw("</div>").Raw(body).Raw("</main></body></html>");
        return Results.Content(html.ToString(), "text/html; charset=utf-8", statusCode: status);
    }

    private static void ScopeForm(Html html, HttpContext context, ViewScope scope)
    {
        html.Raw("<form method=\"post\" action=\"/scope\" class=\"scope\">").Raw(Antiforgery(context))
            .Raw("<input type=\"hidden\" name=\"back\" value=\"").Raw(Html.Attr(BackUrl(context))).Raw("\">")
            .Raw("<label>Project <select name=\"project\">");
        foreach (var p in scope.Projects)
            html.Raw("<option value=\"").Raw(Html.Attr(p.Name)).Raw(p.Id == scope.ProjectId ? "\" selected>" : "\">").Text(p.Name).Raw("</option>");
        html.Raw("</select></label><label").Raw(scope.UsesEnvironment ? ">Environment" : " title=\"This page covers every environment\">Environment <span class=\"muted\">(not applied here)</span>")
            .Raw(" <select name=\"environment\"><option value=\"\">all</option>");
        foreach (var e in scope.Project.Environments.Append(scope.Environment).OfType<string>().Distinct(StringComparer.Ordinal))
            html.Raw("<option value=\"").Raw(Html.Attr(e)).Raw(e == scope.Environment ? "\" selected>" : "\">").Text(e).Raw("</option>");
        html.Raw("</select></label><label>Range <select name=\"range\">");
        foreach (var r in ViewScope.Ranges)
            html.Raw("<option value=\"").Raw(r).Raw(r == scope.Range ? "\" selected>" : "\">").Text("last " + r).Raw("</option>");
        html.Raw("</select></label><button type=\"submit\">Apply</button></form>");
    }

    /// <summary>Where the scope form returns: this page, or for the answer to a POST (e.g. a settings action) the page it belongs to.</summary>
    private static string BackUrl(HttpContext context)
        => HttpMethods.IsGet(context.Request.Method) ? context.Request.Path + context.Request.QueryString
            : context.Request.Path.StartsWithSegments("/settings") ? "/settings" : "/";

    /// <summary>The hidden antiforgery field for a form on this page.</summary>
    public static string Antiforgery(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return "<input type=\"hidden\" name=\"" + Html.Attr(tokens.FormFieldName) + "\" value=\"" + Html.Attr(tokens.RequestToken) + "\">";
    }

    public static void Card(Html html, string label, string value, string? cssClass = null)
        => html.Raw("<div class=\"card\">").Tag("span", label, "label").Tag("strong", value, cssClass).Raw("</div>");

    public static string Ms(double ms) => ms.ToString(ms < 10 ? "0.##" : "0", CultureInfo.InvariantCulture) + " ms";

    public static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    public static string Pct(double rate) => (rate * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    public static string Bytes(double bytes) => bytes < 1024 ? bytes.ToString("0", CultureInfo.InvariantCulture) + " B" : (bytes / 1024).ToString("0.#", CultureInfo.InvariantCulture) + " KiB";

    public static string Utc(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Ago(DateTimeOffset t)
    {
        var d = DateTimeOffset.UtcNow - t;
        return d.TotalSeconds < 90 ? $"{Math.Max(0, (int)d.TotalSeconds)} s ago" : d.TotalMinutes < 90 ? $"{(int)d.TotalMinutes} min ago"
            : d.TotalHours < 48 ? $"{(int)d.TotalHours} h ago" : t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>A link to an endpoint's page.</summary>
    public static string EndpointHref(string method, string route)
        => "/endpoints/view?method=" + Uri.EscapeDataString(method) + "&route=" + Uri.EscapeDataString(route);

    /// <summary>A link to a consumer's page.</summary>
    public static string ConsumerHref(string identifier) => "/consumers/view?id=" + Uri.EscapeDataString(identifier);

    /// <summary>Opens a table (wrapped so that a wide table scrolls inside the page on a phone) with its header row.</summary>
    public static Html Table(this Html html, string? cssClass, params string[] headers)
    {
        html.Raw("<div class=\"table\"><table").Raw(cssClass is null ? "" : " class=\"" + cssClass + "\"").Raw("><thead><tr>");
        foreach (var h in headers) html.Tag("th", h);
        return html.Raw("</tr></thead><tbody>");
    }

    public static Html EndTable(this Html html, int rows, string empty = "Nothing in this range.")
    {
        html.Raw("</tbody></table></div>");
        if (rows == 0) html.Tag("p", empty, "muted empty");
        return html;
    }
}
