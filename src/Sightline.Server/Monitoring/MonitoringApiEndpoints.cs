using Sightline.Server.Hosting;
using Sightline.Server.Query;

namespace Sightline.Server.Monitoring;

/// <summary>
/// The JSON API for uptime and alerts under <c>/api/v1/uptime</c> and <c>/api/v1/alerts</c>. Every endpoint
/// needs a signed-in user (policy <c>SightlineUser</c>), like the query API, and works on one project: <c>?project=</c>
/// (name; default the server's default project; unknown = 404). A check, rule or channel id of another project is
/// answered 404 and left unchanged. Bad input is answered with RFC 9457 validation problem details naming each field.
/// </summary>
internal static class MonitoringApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var uptime = SelectedProject.RequireKnownProject(app.MapGroup("/api/v1/uptime").RequireAuthorization(AuthSetup.Policy));
        uptime.MapGet("/checks", (IMonitoringStore store, SelectedProject project, TimeProvider time) =>
            Results.Ok(store.GetChecks(project.Id).Select(c => MonitoringViews.Check(store, c, time.GetUtcNow())).ToList()));
        uptime.MapGet("/checks/{id:long}", (IMonitoringStore store, SelectedProject project, TimeProvider time, long id) =>
            store.GetCheck(project.Id, id) is { } c ? Results.Ok(MonitoringViews.Check(store, c, time.GetUtcNow())) : NotFound("check"));
        uptime.MapPost("/checks", (IMonitoringStore store, SelectedProject project, TimeProvider time, CheckRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = MonitoringValidation.Check(definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            var id = store.CreateCheck(project.Id, definition, time.GetUtcNow());
            return Results.Created($"/api/v1/uptime/checks/{id}", MonitoringViews.Check(store, store.GetCheck(project.Id, id)!, time.GetUtcNow()));
        });
        uptime.MapPut("/checks/{id:long}", (IMonitoringStore store, SelectedProject project, TimeProvider time, long id, CheckRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = MonitoringValidation.Check(definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            return store.UpdateCheck(project.Id, id, definition, time.GetUtcNow())
                ? Results.Ok(MonitoringViews.Check(store, store.GetCheck(project.Id, id)!, time.GetUtcNow())) : NotFound("check");
        });
        uptime.MapDelete("/checks/{id:long}", (IMonitoringStore store, SelectedProject project, TimeProvider time, long id) =>
            store.DeleteCheck(project.Id, id, time.GetUtcNow()) ? Results.NoContent() : NotFound("check"));
        uptime.MapGet("/incidents", (IMonitoringStore store, SelectedProject project, TimeProvider time, int? days) =>
        {
            if (days is < 1 or > 90) return Results.ValidationProblem(new Dictionary<string, string[]> { ["days"] = ["days is 1..90."] });
            var now = time.GetUtcNow();
            return Results.Ok(store.GetIncidents(project.Id, now.AddDays(-(days ?? 30)), now).Select(i => new
            {
                i.Id, i.TargetKind, i.TargetKey, i.TargetName, i.Started, i.Ended, DurationSeconds = (long)i.Duration(now).TotalSeconds, i.Reason,
            }));
        });

        var alerts = SelectedProject.RequireKnownProject(app.MapGroup("/api/v1/alerts").RequireAuthorization(AuthSetup.Policy));
        alerts.MapGet("/rules", (IMonitoringStore store, SelectedProject project) => Results.Ok(store.GetRules(project.Id).Select(MonitoringViews.Rule).ToList()));
        alerts.MapGet("/rules/{id:long}", (IMonitoringStore store, SelectedProject project, long id) =>
            store.GetRule(project.Id, id) is { } r ? Results.Ok(MonitoringViews.Rule(r)) : NotFound("rule"));
        alerts.MapPost("/rules", (IMonitoringStore store, SelectedProject project, TimeProvider time, RuleRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = ValidateRule(store, project.Id, definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            var id = store.CreateRule(project.Id, definition, time.GetUtcNow());
            return Results.Created($"/api/v1/alerts/rules/{id}", MonitoringViews.Rule(store.GetRule(project.Id, id)!));
        });
        alerts.MapPut("/rules/{id:long}", (IMonitoringStore store, SelectedProject project, long id, RuleRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = ValidateRule(store, project.Id, definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            return store.UpdateRule(project.Id, id, definition) ? Results.Ok(MonitoringViews.Rule(store.GetRule(project.Id, id)!)) : NotFound("rule");
        });
        alerts.MapDelete("/rules/{id:long}", (IMonitoringStore store, SelectedProject project, long id) =>
            store.DeleteRule(project.Id, id) ? Results.NoContent() : NotFound("rule"));

        alerts.MapGet("/channels", (IMonitoringStore store, SelectedProject project) => Results.Ok(store.GetChannels(project.Id).Select(MonitoringViews.Channel).ToList()));
        alerts.MapGet("/channels/{id:long}", (IMonitoringStore store, SelectedProject project, long id) =>
            store.GetChannel(project.Id, id) is { } c ? Results.Ok(MonitoringViews.Channel(c)) : NotFound("channel"));
        alerts.MapPost("/channels", (IMonitoringStore store, ChannelSecrets secrets, SelectedProject project, TimeProvider time, ChannelRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = MonitoringValidation.Channel(definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            var id = store.CreateChannel(project.Id, definition, secrets.Protect(definition.Secret), time.GetUtcNow());
            return Results.Created($"/api/v1/alerts/channels/{id}", MonitoringViews.Channel(store.GetChannel(project.Id, id)!));
        });
        alerts.MapPut("/channels/{id:long}", (IMonitoringStore store, ChannelSecrets secrets, SelectedProject project, long id, ChannelRequest body) =>
        {
            var definition = body.ToDefinition();
            var errors = MonitoringValidation.Channel(definition);
            if (errors.Count > 0) return Results.ValidationProblem(errors);
            return store.UpdateChannel(project.Id, id, definition, secrets.Protect(definition.Secret), keepSecret: body.Secret is null)
                ? Results.Ok(MonitoringViews.Channel(store.GetChannel(project.Id, id)!)) : NotFound("channel");
        });
        alerts.MapDelete("/channels/{id:long}", (IMonitoringStore store, SelectedProject project, long id) =>
        {
            if (store.GetRules(project.Id).FirstOrDefault(r => r.Definition.ChannelIds.Contains(id)) is { } user)
                return Results.Problem(statusCode: 409, title: "Channel in use", detail: $"Rule '{user.Definition.Name}' notifies this channel; remove it from the rule first.");
            return store.DeleteChannel(project.Id, id) ? Results.NoContent() : NotFound("channel");
        });
        alerts.MapGet("/events", (IMonitoringStore store, SelectedProject project) => Results.Ok(store.GetEvents(project.Id)));
        alerts.MapGet("/deliveries", (IMonitoringStore store, SelectedProject project, bool? problems) => Results.Ok(store.GetDeliveries(project.Id, problems ?? false)));
    }

    internal static Dictionary<string, string[]> ValidateRule(IMonitoringStore store, long projectId, AlertRuleDefinition definition)
        => MonitoringValidation.Rule(definition, c => store.GetChannel(projectId, c) is not null, c => store.GetCheck(projectId, c) is not null);

    private static IResult NotFound(string what) => Results.Problem(statusCode: 404, title: $"No such {what}");
}
