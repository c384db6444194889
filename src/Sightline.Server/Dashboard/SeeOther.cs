namespace Sightline.Server.Dashboard;

/// <summary>
/// 303 See Other to a page of this site: the answer to a dashboard form POST (POST-redirect-GET), so
/// reloading the page that follows repeats a GET, never the POST (RFC 9110 §15.4.4).
/// </summary>
internal sealed class SeeOther(string location) : IResult
{
    public string Location { get; } = location;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
        httpContext.Response.Headers.Location = Location;
        return Task.CompletedTask;
    }
}
