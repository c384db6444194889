using System.Globalization;
using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Query;

/// <summary>
/// The original JSON query API. Every endpoint needs a signed-in user (policy <c>SightlineUser</c>) and takes an
/// optional <c>project</c> (name; default the server's default project; unknown = 404 ProblemDetails).
/// </summary>
internal static class QueryEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var api = SelectedProject.RequireKnownProject(app.MapGroup("/api/v1").RequireAuthorization(AuthSetup.Policy));
        api.MapGet("/overview", (ISightlineStore store, SelectedProject project, string? from, string? to) =>
            Range(from, to, out var f, out var t, out var error) ? Results.Ok(store.GetOverview(project.Id, f, t)) : error);
        api.MapGet("/endpoints", (ISightlineStore store, SelectedProject project, string? from, string? to) =>
            Range(from, to, out var f, out var t, out var error) ? Results.Ok(store.GetEndpoints(project.Id, f, t)) : error);
        api.MapGet("/requests", (ISightlineStore store, SelectedProject project, string? from, string? to, string? route, string? method, int? statusClass,
            string? consumer, string? q, bool? hasError, double? minDurationMs, string? cursor, int? limit, string? environment) =>
        {
            if (!Range(from, to, out var f, out var t, out var error)) return error;
            if (statusClass is < 1 or > 5) return Results.Problem(statusCode: 400, title: "Invalid statusClass", detail: "statusClass is 1..5 (1xx..5xx).");
            try
            {
                return Results.Ok(store.SearchRequests(project.Id, new RequestFilter(f, t, route, method, statusClass, consumer, q, hasError, minDurationMs, cursor, limit ?? 50, NullIfEmpty(environment))));
            }
            catch (FormatException e)
            {
                return Results.Problem(statusCode: 400, title: "Invalid cursor", detail: e.Message);
            }
        });
        api.MapGet("/requests/{id:guid}", (ISightlineStore store, SelectedProject project, Guid id) =>
            store.GetRequest(project.Id, id) is { } record ? Results.Ok(record) : Results.Problem(statusCode: 404, title: "No such request"));
        api.MapGet("/errors", (ISightlineStore store, SelectedProject project) => Results.Ok(store.GetErrorGroups(project.Id)));
        api.MapGet("/consumers", (ISightlineStore store, SelectedProject project, string? from, string? to, string? environment) =>
            Range(from, to, out var f, out var t, out var error) ? Results.Ok(store.GetConsumers(project.Id, f, t, NullIfEmpty(environment))) : error);
        api.MapGet("/security-events", (ISightlineStore store, SelectedProject project, string? environment) =>
            Results.Ok(store.GetSecurityEvents(project.Id, environment: NullIfEmpty(environment))));
        api.MapGet("/instances", (ISightlineStore store, SelectedProject project, TimeProvider time) => Results.Ok(store.GetInstances(project.Id, time.GetUtcNow())));
    }

    internal static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>Parses an ISO 8601 range; default: the last hour.</summary>
    internal static bool Range(string? from, string? to, out DateTimeOffset f, out DateTimeOffset t, out IResult error)
    {
        error = Results.Empty;
        t = DateTimeOffset.UtcNow.AddMinutes(1);
        f = t.AddHours(-1);
        if (to is not null && !DateTimeOffset.TryParse(to, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out t))
        {
            error = Results.Problem(statusCode: 400, title: "Invalid 'to'", detail: "Use an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z.");
            return false;
        }
        if (from is not null && !DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out f))
        {
            error = Results.Problem(statusCode: 400, title: "Invalid 'from'", detail: "Use an ISO 8601 date-time, e.g. 2026-01-31T11:00:00Z.");
            return false;
        }
        else if (from is null)
        {
            f = t.AddHours(-1);
        }
        if (f >= t)
        {
            error = Results.Problem(statusCode: 400, title: "Invalid range", detail: "'from' must be before 'to'.");
            return false;
        }
        return true;
    }
}
