using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Query;

/// <summary>
/// The project a JSON API request is about: the <c>project</c> query parameter (a project name), by default
/// the server's default project. Bound by minimal APIs through <see cref="BindAsync"/>; a group that uses it
/// calls <see cref="RequireKnownProject"/> so an unknown name is answered 404 ProblemDetails before the handler runs.
/// </summary>
internal sealed record SelectedProject(long Id, string Name, bool Known = true)
{
    /// <summary>Reads <c>?project=</c>; never fails binding (an unknown name is reported by the group's filter).</summary>
    public static ValueTask<SelectedProject?> BindAsync(HttpContext context)
    {
        var fallback = context.RequestServices.GetRequiredService<DefaultProject>();
        var name = context.Request.Query["project"].ToString();
        if (name.Length == 0) return ValueTask.FromResult<SelectedProject?>(new SelectedProject(fallback.Id, fallback.Name));
        var id = context.RequestServices.GetRequiredService<ISightlineStore>().FindProjectId(name);
        return ValueTask.FromResult<SelectedProject?>(id is { } known ? new SelectedProject(known, name) : new SelectedProject(0, name, Known: false));
    }

    /// <summary>The answer to a request naming a project that does not exist.</summary>
    public static IResult Unknown(string name)
        => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such project", detail: $"There is no project named '{name}'.");

    /// <summary>Answers 404 ProblemDetails for any endpoint of <paramref name="group"/> whose <see cref="SelectedProject"/> names an unknown project.</summary>
    public static RouteGroupBuilder RequireKnownProject(RouteGroupBuilder group)
    {
        group.AddEndpointFilter(static async (context, next) =>
        {
            foreach (var argument in context.Arguments)
                if (argument is SelectedProject { Known: false } unknown) return Unknown(unknown.Name);
            return await next(context).ConfigureAwait(false);
        });
        return group;
    }
}
