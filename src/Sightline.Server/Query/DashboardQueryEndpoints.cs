using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Query;

/// <summary>
/// The JSON query API behind the dashboard's newer pages (signed-in users only, like <see cref="QueryEndpoints"/>).
/// Every endpoint takes <c>from</c>/<c>to</c> (ISO 8601; default the last hour), an optional <c>project</c>
/// (name; default the server's default project) and, for series, <c>bucketMinutes</c> (1..1440; default
/// 1 up to 2 h, 15 up to 2 days, else 120). Bad input answers 400 ProblemDetails.
/// </summary>
internal static class DashboardQueryEndpoints
{
    private const int MaxBuckets = 5000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(AuthSetup.Policy);
        api.MapGet("/traffic", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes,
            string? environment, string? method, string? route, string? consumer) =>
            Resolve(store, fallback, project, from, to, bucketMinutes, out var p, out var f, out var t, out var b, out var error)
                ? Results.Ok(store.GetTraffic(p, new TrafficScope(environment, method, route, consumer), f, t, b)) : error);
        api.MapGet("/endpoints/slowest", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, string? method, string? route, int? limit) =>
        {
            if (string.IsNullOrEmpty(method) || route is null)
                return Results.Problem(statusCode: 400, title: "Missing endpoint", detail: "Give the endpoint as method=GET&route=/users/{id}.");
            return Resolve(store, fallback, project, from, to, null, out var p, out var f, out var t, out _, out var error)
                ? Results.Ok(store.GetSlowestRequests(p, method, route, f, t, Math.Clamp(limit ?? 10, 1, 100))) : error;
        });
        api.MapGet("/outgoing", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes, string? environment) =>
            Resolve(store, fallback, project, from, to, bucketMinutes, out var p, out var f, out var t, out var b, out var error)
                ? Results.Ok(store.GetOutgoing(p, environment, f, t, b)) : error);
        api.MapGet("/errors/summary", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes, string? environment) =>
            Resolve(store, fallback, project, from, to, bucketMinutes, out var p, out var f, out var t, out var b, out var error)
                ? Results.Ok(store.GetErrorSummary(p, f, t, b, QueryEndpoints.NullIfEmpty(environment))) : error);
        api.MapGet("/errors/group", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes, string? fingerprint, string? environment) =>
        {
            if (string.IsNullOrEmpty(fingerprint)) return Results.Problem(statusCode: 400, title: "Missing fingerprint", detail: "Give the group as fingerprint=… (from /api/v1/errors).");
            if (!Resolve(store, fallback, project, from, to, bucketMinutes, out var p, out var f, out var t, out var b, out var error)) return error;
            return store.GetErrorGroup(p, fingerprint, f, t, b, environment: QueryEndpoints.NullIfEmpty(environment)) is { } detail ? Results.Ok(detail) : Results.Problem(statusCode: 404, title: "No such error group");
        });
        api.MapGet("/security", (ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes, string? environment) =>
            Resolve(store, fallback, project, from, to, bucketMinutes, out var p, out var f, out var t, out var b, out var error)
                ? Results.Ok(store.GetSecurityReport(p, f, t, b, QueryEndpoints.NullIfEmpty(environment))) : error);
        api.MapGet("/projects", (ISightlineStore store) => Results.Ok(store.GetProjects()));
        api.MapGet("/ingest-keys", async (ISightlineStore store, Security.IngestKeyService keys, DefaultProject fallback, string? project, CancellationToken ct) =>
            Resolve(store, fallback, project, null, null, null, out var p, out _, out _, out _, out var error) ? Results.Ok(await keys.ListAsync(p, ct)) : error);
        api.MapGet("/users", (ISightlineStore store) => Results.Ok(store.GetUsers()));
    }

    private static bool Resolve(ISightlineStore store, DefaultProject fallback, string? project, string? from, string? to, int? bucketMinutes,
        out long projectId, out DateTimeOffset f, out DateTimeOffset t, out TimeSpan bucket, out IResult error)
    {
        projectId = fallback.Id;
        bucket = default;
        if (!QueryEndpoints.Range(from, to, out f, out t, out error)) return false;
        if (project is { Length: > 0 })
        {
            if (store.FindProjectId(project) is not { } id)
            {
                error = SelectedProject.Unknown(project);
                return false;
            }
            projectId = id;
        }
        var span = t - f;
        var minutes = bucketMinutes ?? (span <= TimeSpan.FromHours(2) ? 1 : span <= TimeSpan.FromDays(2) ? 15 : 120);
        if (minutes is < 1 or > 1440)
        {
            error = Results.Problem(statusCode: 400, title: "Invalid bucketMinutes", detail: "bucketMinutes is 1..1440.");
            return false;
        }
        bucket = TimeSpan.FromMinutes(minutes);
        if (span / bucket > MaxBuckets)
        {
            error = Results.Problem(statusCode: 400, title: "Too many buckets", detail: $"The range holds more than {MaxBuckets} buckets of {minutes} min; use a larger bucketMinutes.");
            return false;
        }
        return true;
    }
}
