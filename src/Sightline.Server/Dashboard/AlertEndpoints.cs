using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Sightline.Server.Hosting;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Dashboard;

/// <summary>
/// The alerts page: rules with their state, channels, alert history and notifications that failed or
/// are being retried; forms to create, edit and delete rules and channels (antiforgery on every form,
/// every value HTML-encoded, no script).
/// </summary>
internal static class AlertEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var pages = app.MapGroup("").RequireAuthorization(AuthSetup.Policy);
        pages.MapGet("/alerts", Overview);
        pages.MapPost("/alerts/rules", SaveRuleAsync);
        pages.MapGet("/alerts/rules/{id:long}", (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, long id) =>
            store.GetRule(scope.ProjectId, id) is { } rule
                ? Layout.Page(context, "Edit rule", RuleForm(context, antiforgery, store, scope, $"/alerts/rules/{id}", RuleValues(rule.Definition), [])
                    + UptimeEndpoints.DeleteForm(context, antiforgery, $"/alerts/rules/{id}/delete", "Delete this rule"))
                : Results.NotFound());
        pages.MapPost("/alerts/rules/{id:long}", SaveRuleAsync);
        pages.MapPost("/alerts/rules/{id:long}/delete", async (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, long id) =>
        {
            if (await UptimeEndpoints.ReadFormAsync(context, antiforgery) is null) return UptimeEndpoints.Expired(context);
            return store.DeleteRule(scope.ProjectId, id) ? new SeeOther("/alerts") : Results.NotFound();
        });
        pages.MapPost("/alerts/channels", CreateChannelAsync);
        pages.MapGet("/alerts/channels/{id:long}", (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, long id) =>
            store.GetChannel(scope.ProjectId, id) is { } channel
                ? Layout.Page(context, "Edit channel", ChannelForm(context, antiforgery, new Dictionary<string, string?>
                    {
                        ["name"] = channel.Name, ["kind"] = channel.Kind, ["emailTo"] = channel.EmailTo,
                    }, [], scope.Project.Name, $"/alerts/channels/{id}", channel))
                : Results.NotFound());
        pages.MapPost("/alerts/channels/{id:long}", UpdateChannelAsync);
        pages.MapPost("/alerts/channels/{id:long}/delete", async (HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, long id) =>
        {
            if (await UptimeEndpoints.ReadFormAsync(context, antiforgery) is null) return UptimeEndpoints.Expired(context);
            if (store.GetRules(scope.ProjectId).FirstOrDefault(r => r.Definition.ChannelIds.Contains(id)) is { } user)
                return UptimeEndpoints.Invalid(context, "Channel in use", new Html().Tag("p", $"Rule '{user.Definition.Name}' notifies this channel; remove it from the rule first.", "error").ToString());
            return store.DeleteChannel(scope.ProjectId, id) ? new SeeOther("/alerts") : Results.NotFound();
        });
    }

    private static IResult Overview(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope)
    {
        var html = new Html();
        var channels = store.GetChannels(scope.ProjectId);
        var names = channels.ToDictionary(c => c.Id, c => c.Name);
        html.Tag("h2", "Rules").Raw("<table><tr><th>Rule</th><th>Kind</th><th>Scope</th><th>Threshold</th><th>State</th><th>Since (UTC)</th><th>Last value</th><th>Channels</th></tr>");
        foreach (var r in store.GetRules(scope.ProjectId))
        {
            var d = r.Definition;
            html.Raw("<tr><td>").Link($"/alerts/rules/{r.Id}", d.Name).Raw("</td>").Tag("td", d.Kind)
                .Tag("td", string.Join(" ", new[] { d.Environment, d.Endpoint, d.CheckId is { } c ? $"check #{c}" : null }.Where(s => s is not null)) is { Length: > 0 } ruleScope ? ruleScope : "all")
                .Tag("td", Threshold(d)).Tag("td", d.Enabled ? r.State : "disabled", UptimeEndpoints.StateClass(d.Enabled ? r.State : "disabled"))
                .Tag("td", UptimeEndpoints.Stamp(r.StateSince)).Tag("td", r.Message ?? "–")
                .Tag("td", string.Join(", ", d.ChannelIds.Select(id => names.GetValueOrDefault(id, $"#{id}")))).Raw("</tr>");
        }
        html.Raw("</table>");
        html.Tag("h2", "New rule").Raw(RuleForm(context, antiforgery, store, scope, "/alerts/rules", RuleValues(null), []));

        html.Tag("h2", "Channels").Raw("<table><tr><th>Channel</th><th>Kind</th><th>Destination</th><th>Signed</th><th></th></tr>");
        foreach (var c in channels)
        {
            var view = MonitoringViews.Channel(c);
            html.Raw("<tr><td>").Link($"/alerts/channels/{c.Id}", c.Name).Raw("</td>").Tag("td", c.Kind).Tag("td", view.EmailTo ?? view.UrlHost).Tag("td", view.Signed ? "HMAC-SHA256" : "–")
                .Raw("<td>").Raw(UptimeEndpoints.DeleteForm(context, antiforgery, $"/alerts/channels/{c.Id}/delete", "Delete")).Raw("</td></tr>");
        }
        html.Raw("</table>");
        html.Tag("h2", "New channel").Raw(ChannelForm(context, antiforgery, new Dictionary<string, string?> { ["kind"] = "webhook" }, [], scope.Project.Name));

        html.Tag("h2", "Notifications failing or retried").Raw("<table><tr><th>Created (UTC)</th><th>Channel</th><th>Status</th><th>Attempts</th><th>Next attempt</th><th>Last error</th></tr>");
        foreach (var d in store.GetDeliveries(scope.ProjectId, problemsOnly: true, limit: 100))
        {
            html.Raw("<tr>").Tag("td", UptimeEndpoints.Stamp(d.Created)).Tag("td", d.ChannelName).Tag("td", d.Status, UptimeEndpoints.StateClass(d.Status))
                .Tag("td", d.Attempts.ToString(CultureInfo.InvariantCulture)).Tag("td", d.Status == "pending" && d.NextAttempt is { } n ? UptimeEndpoints.Stamp(n) : "–")
                .Tag("td", d.LastError).Raw("</tr>");
        }
        html.Raw("</table>");

        html.Tag("h2", "Alert history").Raw("<table><tr><th>Time (UTC)</th><th>Rule</th><th>Event</th><th>Message</th></tr>");
        foreach (var e in store.GetEvents(scope.ProjectId, 100))
            html.Raw("<tr>").Tag("td", UptimeEndpoints.Stamp(e.At)).Tag("td", e.RuleName).Tag("td", e.Kind, e.Kind == "resolved" ? "good" : "bad").Tag("td", e.Message).Raw("</tr>");
        html.Raw("</table>");
        return Layout.Page(context, "Alerts", html.ToString(), scope with { UsesEnvironment = false });
    }

    private static async Task<IResult> SaveRuleAsync(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, TimeProvider time, long? id)
    {
        if (await UptimeEndpoints.ReadFormAsync(context, antiforgery) is not { } form) return UptimeEndpoints.Expired(context);
        if (id is null && UptimeEndpoints.WrongProject(context, form, scope, "/alerts") is { } wrong) return wrong;
        var errors = new Dictionary<string, string[]>();
        double? threshold = null;
        var thresholdText = form["threshold"].ToString().Trim();
        if (thresholdText.Length > 0)
        {
            if (double.TryParse(thresholdText, NumberStyles.Float, CultureInfo.InvariantCulture, out var t)) threshold = t;
            else errors["threshold"] = ["Enter a number."];
        }
        long? checkId = null;
        if (form["checkId"].ToString() is { Length: > 0 } c)
        {
            if (long.TryParse(c, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)) checkId = parsed;
            else errors["checkId"] = ["Choose a check."];
        }
        var channelIds = new List<long>();
        foreach (var value in form["channelIds"])
        {
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ch)) channelIds.Add(ch);
            else errors["channelIds"] = ["Choose channels from the list."];
        }
        var request = new RuleRequest(form["name"], form["kind"], form["environment"], form["endpoint"], checkId, threshold,
            UptimeEndpoints.Int(form, "windowMinutes", errors), UptimeEndpoints.Int(form, "minRequests", errors), UptimeEndpoints.Int(form, "renotifyMinutes", errors),
            [.. channelIds], form["enabled"] == "true");
        var definition = request.ToDefinition();
        errors = UptimeEndpoints.Merge(MonitoringApiEndpoints.ValidateRule(store, scope.ProjectId, definition), errors);
        var action = id is null ? "/alerts/rules" : $"/alerts/rules/{id}";
        if (errors.Count > 0)
        {
            var values = form.Keys.ToDictionary(k => k, k => (string?)form[k].ToString());
            values["channelIds"] = string.Join(',', channelIds);
            return UptimeEndpoints.Invalid(context, id is null ? "New rule" : "Edit rule", RuleForm(context, antiforgery, store, scope, action, values, errors));
        }
        if (id is { } existing)
        {
            if (!store.UpdateRule(scope.ProjectId, existing, definition)) return Results.NotFound();
        }
        else
        {
            store.CreateRule(scope.ProjectId, definition, time.GetUtcNow());
        }
        return new SeeOther("/alerts");
    }

    private static async Task<IResult> CreateChannelAsync(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ChannelSecrets secrets, ViewScope scope, TimeProvider time)
    {
        if (await UptimeEndpoints.ReadFormAsync(context, antiforgery) is not { } form) return UptimeEndpoints.Expired(context);
        if (UptimeEndpoints.WrongProject(context, form, scope, "/alerts") is { } wrong) return wrong;
        var definition = new ChannelRequest(form["name"], form["kind"], form["url"], form["emailTo"], form["secret"]).ToDefinition();
        var errors = MonitoringValidation.Channel(definition);
        if (errors.Count > 0)
        {
            var values = form.Keys.Where(k => k != "secret").ToDictionary(k => k, k => (string?)form[k].ToString()); // never echo the secret
            return UptimeEndpoints.Invalid(context, "New channel", ChannelForm(context, antiforgery, values, errors, scope.Project.Name));
        }
        store.CreateChannel(scope.ProjectId, definition, secrets.Protect(definition.Secret), time.GetUtcNow());
        return new SeeOther("/alerts");
    }

    private static async Task<IResult> UpdateChannelAsync(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ChannelSecrets secrets, ViewScope scope, long id)
    {
        if (await UptimeEndpoints.ReadFormAsync(context, antiforgery) is not { } form) return UptimeEndpoints.Expired(context);
        if (store.GetChannel(scope.ProjectId, id) is not { } existing) return Results.NotFound();
        // The stored URL (a Slack URL is a credential) and secret are never sent to the browser: empty fields keep them.
        var url = form["url"].ToString() is { Length: > 0 } u ? u : (form["kind"] == existing.Kind ? existing.Url : null);
        var definition = new ChannelRequest(form["name"], form["kind"], url, form["emailTo"], form["secret"]).ToDefinition();
        var errors = MonitoringValidation.Channel(definition);
        if (errors.Count > 0)
        {
            var values = form.Keys.Where(k => k is not ("secret" or "url")).ToDictionary(k => k, k => (string?)form[k].ToString());
            return UptimeEndpoints.Invalid(context, "Edit channel", ChannelForm(context, antiforgery, values, errors, scope.Project.Name, $"/alerts/channels/{id}", existing));
        }
        var removeSecret = form["removeSecret"] == "true";
        var keepSecret = definition.Secret is null && !removeSecret;
        store.UpdateChannel(scope.ProjectId, id, definition, secrets.Protect(definition.Secret), keepSecret);
        return new SeeOther("/alerts");
    }

    private static Dictionary<string, string?> RuleValues(AlertRuleDefinition? d) => new()
    {
        ["name"] = d?.Name, ["kind"] = d?.Kind ?? "error_rate", ["environment"] = d?.Environment, ["endpoint"] = d?.Endpoint,
        ["checkId"] = d?.CheckId?.ToString(CultureInfo.InvariantCulture), ["threshold"] = (d?.Threshold ?? 5).ToString(CultureInfo.InvariantCulture),
        ["windowMinutes"] = (d?.WindowMinutes ?? 5).ToString(CultureInfo.InvariantCulture), ["minRequests"] = (d?.MinRequests ?? 20).ToString(CultureInfo.InvariantCulture),
        ["renotifyMinutes"] = (d?.RenotifyMinutes ?? 60).ToString(CultureInfo.InvariantCulture),
        ["channelIds"] = d is null ? "" : string.Join(',', d.ChannelIds), ["enabled"] = d is null || d.Enabled ? "true" : null,
    };

    private static string RuleForm(HttpContext context, IAntiforgery antiforgery, IMonitoringStore store, ViewScope scope, string action, Dictionary<string, string?> v,
        Dictionary<string, string[]> errors)
    {
        var projectId = scope.ProjectId;
        var html = new Html().Raw("<form method=\"post\" class=\"login\" action=\"").Raw(Html.Attr(action)).Raw("\">").Raw(UptimeEndpoints.ProjectInput(scope.Project.Name));
        if (errors.Count > 0) html.Tag("p", "Please correct the fields marked below.", "error");
        UptimeEndpoints.Field(html, "Name", "name", v, errors, "required maxlength=\"200\"");
        html.Raw("<label>Kind <select name=\"kind\">");
        foreach (var kind in MonitoringValidation.RuleKinds)
            html.Raw("<option").Raw(v.GetValueOrDefault("kind") == kind ? " selected" : "").Raw(">").Text(kind).Raw("</option>");
        html.Raw("</select></label>");
        UptimeEndpoints.Error(html, errors, "kind");
        UptimeEndpoints.Field(html, "Environment (optional)", "environment", v, errors, "maxlength=\"200\"");
        UptimeEndpoints.Field(html, "Endpoint, e.g. GET /users/{id} (error rate and latency; optional)", "endpoint", v, errors, "maxlength=\"500\"");
        html.Raw("<label>Check (check_down; empty = any) <select name=\"checkId\"><option value=\"\">any check</option>");
        foreach (var check in store.GetChecks(projectId))
        {
            var id = check.Id.ToString(CultureInfo.InvariantCulture);
            html.Raw("<option value=\"").Raw(id).Raw("\"").Raw(v.GetValueOrDefault("checkId") == id ? " selected" : "").Raw(">").Text(check.Definition.Name).Raw("</option>");
        }
        html.Raw("</select></label>");
        UptimeEndpoints.Error(html, errors, "checkId");
        UptimeEndpoints.Field(html, "Threshold (% for error rate, ms for latency, count for refused keys)", "threshold", v, errors, "inputmode=\"decimal\"");
        UptimeEndpoints.Field(html, "Window (minutes)", "windowMinutes", v, errors, "type=\"number\" min=\"1\" max=\"1440\"");
        UptimeEndpoints.Field(html, "Minimum requests in the window", "minRequests", v, errors, "type=\"number\" min=\"0\"");
        UptimeEndpoints.Field(html, "Re-notify while firing every (minutes, 0 = never)", "renotifyMinutes", v, errors, "type=\"number\" min=\"0\" max=\"10080\"");
        var selected = (v.GetValueOrDefault("channelIds") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        html.Raw("<fieldset><legend>Notify</legend>");
        foreach (var channel in store.GetChannels(projectId))
        {
            var id = channel.Id.ToString(CultureInfo.InvariantCulture);
            html.Raw("<label><input type=\"checkbox\" name=\"channelIds\" value=\"").Raw(id).Raw("\"").Raw(selected.Contains(id) ? " checked" : "").Raw("> ")
                .Text($"{channel.Name} ({channel.Kind})").Raw("</label>");
        }
        html.Raw("</fieldset>");
        UptimeEndpoints.Error(html, errors, "channelIds");
        html.Raw("<label><input type=\"checkbox\" name=\"enabled\" value=\"true\"").Raw(v.GetValueOrDefault("enabled") == "true" ? " checked" : "").Raw("> Enabled</label>");
        return html.Raw(UptimeEndpoints.Antiforgery(context, antiforgery)).Raw("<button type=\"submit\">Save rule</button></form>").ToString();
    }

    private static string ChannelForm(HttpContext context, IAntiforgery antiforgery, Dictionary<string, string?> v, Dictionary<string, string[]> errors,
        string project, string action = "/alerts/channels", AlertChannel? existing = null)
    {
        var html = new Html().Raw("<form method=\"post\" class=\"login\" action=\"").Raw(Html.Attr(action)).Raw("\">").Raw(UptimeEndpoints.ProjectInput(project));
        if (errors.Count > 0) html.Tag("p", "Please correct the fields marked below.", "error");
        UptimeEndpoints.Field(html, "Name", "name", v, errors, "required maxlength=\"200\"");
        html.Raw("<label>Kind <select name=\"kind\">");
        foreach (var kind in MonitoringValidation.ChannelKinds)
            html.Raw("<option").Raw(v.GetValueOrDefault("kind") == kind ? " selected" : "").Raw(">").Text(kind).Raw("</option>");
        html.Raw("</select></label>");
        UptimeEndpoints.Error(html, errors, "kind");
        UptimeEndpoints.Field(html, existing?.Url is null ? "URL (webhook, slack)" : $"URL (webhook, slack; empty keeps the current one on {MonitoringViews.Channel(existing).UrlHost})",
            "url", v, errors, "type=\"url\"");
        UptimeEndpoints.Field(html, "E-mail recipients, comma-separated (email)", "emailTo", v, errors);
        html.Raw("<label>Signing secret (webhook, optional, 16+ characters) <input name=\"secret\" type=\"password\" autocomplete=\"off\"></label>");
        UptimeEndpoints.Error(html, errors, "secret");
        if (existing?.HasSecret == true) html.Raw("<label><input type=\"checkbox\" name=\"removeSecret\" value=\"true\"> Remove the signing secret (empty keeps it)</label>");
        return html.Raw(UptimeEndpoints.Antiforgery(context, antiforgery)).Raw("<button type=\"submit\">").Text(existing is null ? "Add channel" : "Save channel").Raw("</button></form>").ToString();
    }

    private static string Threshold(AlertRuleDefinition d) => d.Kind switch
    {
        "error_rate" => $"> {d.Threshold.ToString("0.##", CultureInfo.InvariantCulture)} % over {d.WindowMinutes} min (min {d.MinRequests} req)",
        "latency_p95" or "latency_p99" => $"> {d.Threshold.ToString("0.##", CultureInfo.InvariantCulture)} ms over {d.WindowMinutes} min",
        "refused_keys" => $"> {d.Threshold.ToString("0", CultureInfo.InvariantCulture)} in {d.WindowMinutes} min",
        "new_error_group" => $"any in {d.WindowMinutes} min",
        _ => "down",
    };
}
