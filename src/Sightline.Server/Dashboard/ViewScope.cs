using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>
/// What the dashboard shows: a project, an environment (null = all) and a time range with the
/// bucket width of its charts. Chosen in the header's scope form (kept in a cookie); a <c>range</c>
/// query parameter overrides the range so links can carry it.
/// </summary>
internal sealed record ViewScope(ProjectRow Project, IReadOnlyList<ProjectRow> Projects, string? Environment, string Range,
    DateTimeOffset From, DateTimeOffset To, TimeSpan Bucket)
{
    public const string CookieName = "sightline.view";

    public static readonly string[] Ranges = ["15m", "1h", "6h", "24h", "7d"];

    public static ViewScope Resolve(HttpContext context, ISightlineStore store, DefaultProject fallback)
    {
        var projects = store.GetProjects();
        var parts = (context.Request.Cookies[CookieName] ?? "").Split('|');
        var project = projects.FirstOrDefault(p => parts.Length > 0 && p.Name == Uri.UnescapeDataString(parts[0]))
            ?? projects.FirstOrDefault(p => p.Id == fallback.Id)
            ?? new ProjectRow(fallback.Id, fallback.Name, DateTimeOffset.UnixEpoch, []);
        var environment = parts.Length > 1 && parts[1].Length > 0 ? Uri.UnescapeDataString(parts[1]) : null;
        var range = context.Request.Query["range"].ToString() is { Length: > 0 } q && Ranges.Contains(q) ? q
            : parts.Length > 2 && Ranges.Contains(parts[2]) ? parts[2] : "1h";
        var to = DateTimeOffset.UtcNow;
        var (span, bucket) = range switch
        {
            "15m" => (TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(1)),
            "6h" => (TimeSpan.FromHours(6), TimeSpan.FromMinutes(5)),
            "24h" => (TimeSpan.FromHours(24), TimeSpan.FromMinutes(15)),
            "7d" => (TimeSpan.FromDays(7), TimeSpan.FromHours(2)),
            _ => (TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)),
        };
        // The range ends at the end of the current bucket so the newest traffic is always in it.
        var end = DateTimeOffset.FromUnixTimeMilliseconds((to.ToUnixTimeMilliseconds() / (long)bucket.TotalMilliseconds + 1) * (long)bucket.TotalMilliseconds);
        return new ViewScope(project, projects, environment, range, end - span, end, bucket);
    }

    /// <summary>Lets a minimal-API handler take the scope as a parameter (resolved as <see cref="Resolve"/> does).</summary>
    public static ValueTask<ViewScope?> BindAsync(HttpContext context)
        => ValueTask.FromResult<ViewScope?>(Resolve(context, context.RequestServices.GetRequiredService<ISightlineStore>(),
            context.RequestServices.GetRequiredService<DefaultProject>()));

    public static string CookieValue(string project, string? environment, string range)
        => $"{Uri.EscapeDataString(project)}|{Uri.EscapeDataString(environment ?? "")}|{range}";

    public long ProjectId => Project.Id;

    /// <summary>False on pages whose data has no environment dimension (uptime, alerts): the form says so.</summary>
    public bool UsesEnvironment { get; init; } = true;

    public TrafficScope Traffic(string? method = null, string? route = null, string? consumer = null) => new(Environment, method, route, consumer);
}
