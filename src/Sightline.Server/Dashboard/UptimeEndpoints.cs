using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Sightline.Server.Hosting;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Dashboard;

/// <summary>
/// The uptime page: checks with their state, 30-day history bar and uptime; heartbeat targets; incidents;
/// and check create/edit/delete forms (antiforgery on every form, every value HTML-encoded, no script).
/// </summary>
internal static class UptimeEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").RequireAuthorization(AuthSetup.Policy);
        pages.MapGet("/uptime", Overview);
        pages.MapGet("/uptime/checks/new", (HttpContext context, IAntiforgery antiforgery, ViewScope scope) =>
            Layout.Page(context, $"New check in '{scope.Project.Name}'", CheckForm(context, antiforgery, scope.Project.Name, "/uptime/checks", Values((CheckDefinition?)null), [])));
        pages.MapPost("/uptime/checks", CreateAsync);
        pages.MapGet("/uptime/checks/{id:long}", (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, long id) =>
            store.GetCheck(scope.ProjectId, id) is { } check
                ? Layout.Page(context, "Edit check", CheckForm(context, antiforgery, scope.Project.Name, $"/uptime/checks/{id}", Values(check.Definition), []) + DeleteForm(context, antiforgery, $"/uptime/checks/{id}/delete", "Delete this check"))
                : Results.NotFound());
        pages.MapPost("/uptime/checks/{id:long}", UpdateAsync);
        pages.MapPost("/uptime/checks/{id:long}/delete", async (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, TimeProvider time, long id) =>
        {
            if (await ReadFormAsync(context, antiforgery) is null) return Expired(context);
            return store.DeleteCheck(scope.ProjectId, id, time.GetUtcNow()) ? new SeeOther("/uptime") : Results.NotFound();
        });
    }

    private static IResult Overview(HttpContext context, IMonitoringStore store, ViewScope scope, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var checks = store.GetChecks(scope.ProjectId);
        var open = store.GetOpenIncidents(scope.ProjectId);
        var html = new Html();
        html.Raw("<div class=\"cards\">");
        Card(html, "Checks up", checks.Count(c => c.State == "up").ToString(CultureInfo.InvariantCulture));
        Card(html, "Checks down", checks.Count(c => c.State == "down").ToString(CultureInfo.InvariantCulture));
        Card(html, "Open incidents", open.Count.ToString(CultureInfo.InvariantCulture));
        html.Raw("</div>");

        html.Tag("h2", "HTTP checks").Raw("<p>").Link("/uptime/checks/new", "New check").Raw("</p>");
        html.Raw("<table><tr><th>Check</th><th>Target</th><th>State</th><th>Last result</th><th>24 h</th><th>7 d</th><th>30 d</th><th>Last 30 days</th></tr>");
        foreach (var check in checks)
        {
            var view = MonitoringViews.Check(store, check, now);
            var incidents = store.GetIncidents(scope.ProjectId, now.AddDays(-30), now, "check", check.Id.ToString(CultureInfo.InvariantCulture));
            html.Raw("<tr><td>").Link($"/uptime/checks/{check.Id}", view.Name).Raw("</td>")
                .Tag("td", $"{view.Method} {view.Url}")
                .Tag("td", view.Enabled ? view.State : "paused", StateClass(view.Enabled ? view.State : "paused"))
                .Tag("td", view.LastChecked is null ? "not run yet"
                    : view.LastError ?? $"{view.LastStatus} in {view.LastDurationMs?.ToString("0", CultureInfo.InvariantCulture)} ms")
                .Tag("td", Percent(view.UptimeDay)).Tag("td", Percent(view.UptimeWeek)).Tag("td", Percent(view.UptimeMonth))
                .Raw("<td>").Raw(HistoryBar(incidents, check.Created, now)).Raw("</td></tr>");
        }
        html.Raw("</table>");
        if (checks.Count == 0) html.Tag("p", "No checks yet: add one to have this server call a URL on a schedule.", "muted");

        html.Tag("h2", "Services (from SDK heartbeats)");
        var instances = store.GetInstanceHeartbeats(scope.ProjectId);
        html.Raw("<table><tr><th>Service</th><th>Environment</th><th>Instances</th><th>State</th><th>Last heartbeat (UTC)</th><th>30 d</th></tr>");
        foreach (var group in instances.GroupBy(i => (i.Service, Environment: i.Environment ?? "")).OrderBy(g => g.Key.Service, StringComparer.Ordinal))
        {
            var key = $"{group.Key.Service}/{group.Key.Environment}";
            var down = open.Any(i => i.TargetKind == HeartbeatMonitor.EnvironmentKind && i.TargetKey == key);
            var incidents = store.GetIncidents(scope.ProjectId, now.AddDays(-30), now, HeartbeatMonitor.EnvironmentKind, key);
            html.Raw("<tr>").Tag("td", group.Key.Service).Tag("td", group.Key.Environment).Tag("td", group.Count().ToString(CultureInfo.InvariantCulture))
                .Tag("td", down ? "down" : "up", StateClass(down ? "down" : "up"))
                .Tag("td", group.Max(i => i.LastSeen).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture))
                .Tag("td", Percent(UptimeCalculator.Percent(incidents, now.AddDays(-30), now, now.AddDays(-30), now)))
                .Raw("</tr>");
        }
        html.Raw("</table>");

        html.Tag("h2", "Incidents (last 30 days)");
        html.Raw("<table><tr><th>Target</th><th>Kind</th><th>Started (UTC)</th><th>Ended (UTC)</th><th>Duration</th><th>Reason</th></tr>");
        foreach (var i in store.GetIncidents(scope.ProjectId, now.AddDays(-30), now, limit: 200))
        {
            html.Raw("<tr>").Tag("td", i.TargetName).Tag("td", i.TargetKind).Tag("td", Stamp(i.Started))
                .Tag("td", i.Ended is { } e ? Stamp(e) : "ongoing", i.Ended is null ? "bad" : null)
                .Tag("td", Duration(i.Duration(now))).Tag("td", i.Reason).Raw("</tr>");
        }
        html.Raw("</table>");
        return Layout.Page(context, "Uptime", html.ToString(), scope with { UsesEnvironment = false }, refreshSeconds: 30);
    }

    /// <summary>An SVG bar per UTC day: green all up, amber some downtime, red under 99 %, grey not monitored. Colours are attributes (CSP allows no inline style).</summary>
    internal static string HistoryBar(IReadOnlyList<Incident> incidents, DateTimeOffset monitoredSince, DateTimeOffset now, int days = 30)
    {
        var html = new Html().Raw($"<svg class=\"history\" width=\"{days * 6}\" height=\"18\" viewBox=\"0 0 {days * 6} 18\" role=\"img\" aria-label=\"daily uptime\">");
        var today = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        for (var d = 0; d < days; d++)
        {
            var day = today.AddDays(d - days + 1);
            var percent = UptimeCalculator.Percent(incidents, day, day.AddDays(1), monitoredSince, now);
            var fill = percent switch { null => "#d0d4dc", >= 100 => "#2e7d32", >= 99 => "#e0a800", _ => "#c62828" };
            html.Raw($"<rect x=\"{d * 6}\" y=\"0\" width=\"5\" height=\"18\" fill=\"{fill}\"><title>")
                .Text($"{day:yyyy-MM-dd}: {(percent is { } p ? p.ToString("0.###", CultureInfo.InvariantCulture) + " %" : "no data")}").Raw("</title></rect>");
        }
        return html.Raw("</svg>").ToString();
    }

    private static async Task<IResult> CreateAsync(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, TimeProvider time)
    {
        if (await ReadFormAsync(context, antiforgery) is not { } form) return Expired(context);
        if (WrongProject(context, form, scope, "/uptime/checks/new") is { } wrong) return wrong;
        var (definition, errors) = Parse(form);
        errors = Merge(MonitoringValidation.Check(definition), errors);
        if (errors.Count > 0) return Invalid(context, "New check", CheckForm(context, antiforgery, scope.Project.Name, "/uptime/checks", Values(form), errors));
        store.CreateCheck(scope.ProjectId, definition, time.GetUtcNow());
        return new SeeOther("/uptime");
    }

    private static async Task<IResult> UpdateAsync(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, TimeProvider time, long id)
    {
        if (await ReadFormAsync(context, antiforgery) is not { } form) return Expired(context);
        var (definition, errors) = Parse(form);
        errors = Merge(MonitoringValidation.Check(definition), errors);
        if (errors.Count > 0) return Invalid(context, "Edit check", CheckForm(context, antiforgery, scope.Project.Name, $"/uptime/checks/{id}", Values(form), errors));
        return store.UpdateCheck(scope.ProjectId, id, definition, time.GetUtcNow()) ? new SeeOther("/uptime") : Results.NotFound();
    }

    private static (CheckDefinition, Dictionary<string, string[]>) Parse(IFormCollection form)
    {
        var errors = new Dictionary<string, string[]>();
        var request = new CheckRequest(form["name"], form["url"], form["method"], Int(form, "expectedStatus", errors), Int(form, "timeoutMs", errors),
            Int(form, "intervalSeconds", errors), form["bodyContains"], Int(form, "failureThreshold", errors), form["enabled"] == "true");
        return (request.ToDefinition(), errors);
    }

    private static Dictionary<string, string?> Values(CheckDefinition? d) => new()
    {
        ["name"] = d?.Name, ["url"] = d?.Url, ["method"] = d?.Method ?? "GET", ["expectedStatus"] = (d?.ExpectedStatus ?? 200).ToString(CultureInfo.InvariantCulture),
        ["timeoutMs"] = (d?.TimeoutMs ?? 5000).ToString(CultureInfo.InvariantCulture), ["intervalSeconds"] = (d?.IntervalSeconds ?? 60).ToString(CultureInfo.InvariantCulture),
        ["bodyContains"] = d?.BodyContains, ["failureThreshold"] = (d?.FailureThreshold ?? 3).ToString(CultureInfo.InvariantCulture), ["enabled"] = d is null || d.Enabled ? "true" : null,
    };

    private static Dictionary<string, string?> Values(IFormCollection form) => form.Keys.ToDictionary(k => k, k => (string?)form[k].ToString());

    private static string CheckForm(HttpContext context, IAntiforgery antiforgery, string project, string action, Dictionary<string, string?> v, Dictionary<string, string[]> errors)
    {
        var html = new Html().Raw("<form method=\"post\" class=\"login\" action=\"").Raw(Html.Attr(action)).Raw("\">").Raw(ProjectInput(project));
        if (errors.Count > 0) html.Tag("p", "Please correct the fields marked below.", "error");
        Field(html, "Name", "name", v, errors, "required maxlength=\"200\"");
        Field(html, "URL", "url", v, errors, "required type=\"url\"");
        html.Raw("<label>Method <select name=\"method\">");
        foreach (var m in MonitoringValidation.Methods)
            html.Raw("<option").Raw(v.GetValueOrDefault("method") == m ? " selected" : "").Raw(">").Text(m).Raw("</option>");
        html.Raw("</select></label>");
        Error(html, errors, "method");
        Field(html, "Expected status", "expectedStatus", v, errors, "type=\"number\" min=\"100\" max=\"599\"");
        Field(html, "Timeout (ms)", "timeoutMs", v, errors, "type=\"number\" min=\"100\" max=\"60000\"");
        Field(html, "Interval (seconds)", "intervalSeconds", v, errors, "type=\"number\" min=\"5\" max=\"86400\"");
        Field(html, "Body must contain (optional)", "bodyContains", v, errors, "maxlength=\"1000\"");
        Field(html, "Failures before an incident", "failureThreshold", v, errors, "type=\"number\" min=\"1\" max=\"20\"");
        html.Raw("<label><input type=\"checkbox\" name=\"enabled\" value=\"true\"").Raw(v.GetValueOrDefault("enabled") == "true" ? " checked" : "").Raw("> Enabled</label>");
        return html.Raw(Antiforgery(context, antiforgery)).Raw("<button type=\"submit\">Save</button></form>").ToString();
    }

    // ---- helpers shared with AlertEndpoints ----

    internal static void Field(Html html, string label, string name, Dictionary<string, string?> values, Dictionary<string, string[]> errors, string attributes = "")
    {
        html.Raw("<label>").Text(label).Raw(" <input name=\"").Raw(name).Raw("\" value=\"").Raw(Html.Attr(values.GetValueOrDefault(name))).Raw("\" ")
            .Raw(attributes).Raw(errors.ContainsKey(name) ? " aria-invalid=\"true\"" : "").Raw("></label>");
        Error(html, errors, name);
    }

    internal static void Error(Html html, Dictionary<string, string[]> errors, string name)
    {
        if (errors.TryGetValue(name, out var messages)) html.Tag("p", string.Join(" ", messages), "error");
    }

    internal static int? Int(IFormCollection form, string name, Dictionary<string, string[]> errors)
    {
        var text = form[name].ToString().Trim();
        if (text.Length == 0) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)) return value;
        errors[name] = ["Enter a whole number."];
        return null;
    }

    internal static string Antiforgery(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return $"<input type=\"hidden\" name=\"{Html.Attr(tokens.FormFieldName)}\" value=\"{Html.Attr(tokens.RequestToken)}\">";
    }

    /// <summary>
    /// The hidden field naming the project a form was rendered for. The selection lives in a cookie shared by every tab, so a
    /// create form posted after another tab switched project would otherwise land in that other project; see <see cref="WrongProject"/>.
    /// </summary>
    internal static string ProjectInput(string project) => $"<input type=\"hidden\" name=\"project\" value=\"{Html.Attr(project)}\">";

    /// <summary>
    /// Null when the posted form names the project selected now; otherwise a 400 page saying nothing was created. A form without the
    /// field (rendered before it existed) is refused too: where it was meant to go cannot be known.
    /// </summary>
    internal static IResult? WrongProject(HttpContext context, IFormCollection form, ViewScope scope, string retry)
    {
        var posted = form["project"].ToString();
        if (string.Equals(posted, scope.Project.Name, StringComparison.Ordinal)) return null;
        var message = posted.Length == 0
            ? $"This form does not say which project it was for, and the dashboard now shows project '{scope.Project.Name}'. Nothing was created."
            : $"This form was opened for project '{posted}', but the dashboard now shows project '{scope.Project.Name}' (it was switched, perhaps in another tab). Nothing was created.";
        var body = new Html().Tag("p", message, "error").Raw("<p>").Link(retry, $"Open the form again for '{scope.Project.Name}'").Raw("</p>").ToString();
        return Layout.Page(context, "Project changed", body, status: StatusCodes.Status400BadRequest);
    }

    internal static string DeleteForm(HttpContext context, IAntiforgery antiforgery, string action, string label)
        => new Html().Raw("<form method=\"post\" class=\"inline\" action=\"").Raw(Html.Attr(action)).Raw("\">").Raw(Antiforgery(context, antiforgery))
            .Raw("<button type=\"submit\">").Text(label).Raw("</button></form>").ToString();

    /// <summary>The posted form when its antiforgery token is valid; null otherwise.</summary>
    internal static async Task<IFormCollection?> ReadFormAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return null;
        }
        return await context.Request.ReadFormAsync();
    }

    internal static IResult Expired(HttpContext context)
    {
        return Layout.Page(context, "Form expired", new Html().Tag("p", "The form expired or was not sent from this dashboard. Go back, reload and try again.", "error").ToString(),
            status: StatusCodes.Status400BadRequest);
    }

    internal static IResult Invalid(HttpContext context, string title, string body)
    {
        return Layout.Page(context, title, body, status: StatusCodes.Status400BadRequest);
    }

    /// <summary>Validation errors plus the fields that did not even parse (those messages win).</summary>
    internal static Dictionary<string, string[]> Merge(Dictionary<string, string[]> validation, Dictionary<string, string[]> parse)
    {
        foreach (var (field, messages) in parse) validation[field] = messages;
        return validation;
    }

    internal static void Card(Html html, string label, string value) => html.Raw("<div class=\"card\">").Tag("span", label, "label").Tag("strong", value).Raw("</div>");

    internal static string? StateClass(string state) => state switch { "up" or "ok" or "resolved" or "delivered" => "good", "down" or "firing" or "failed" => "bad", _ => "muted" };

    internal static string Percent(double? p) => p is { } v ? v.ToString("0.###", CultureInfo.InvariantCulture) + " %" : "–";

    internal static string Stamp(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    internal static string Duration(TimeSpan d) => d.TotalMinutes < 1 ? $"{(int)d.TotalSeconds} s" : d.TotalHours < 1 ? $"{(int)d.TotalMinutes} min {d.Seconds} s"
        : d.TotalDays < 1 ? $"{(int)d.TotalHours} h {d.Minutes} min" : $"{(int)d.TotalDays} d {d.Hours} h";
}
