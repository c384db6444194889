using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Dashboard;

/// <summary>
/// The server-rendered dashboard: sign-in, overview, endpoints, request log, errors, consumers,
/// outgoing calls, security and settings. No script at all (strict CSP); every captured value is
/// HTML-encoded; every form carries an antiforgery token.
/// </summary>
internal static class DashboardEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/assets/site.css", () => Results.Text(Styles.Css, "text/css"));
        app.MapGet("/login", (HttpContext context, string? error) => Layout.Page(context, "Sign in", LoginForm(context, error), signedIn: false));
        app.MapPost("/login", LoginAsync).DisableAntiforgery();
        app.MapPost("/logout", async (HttpContext context, IAntiforgery antiforgery) =>
        {
            if (!await IsValidAsync(context, antiforgery)) return Results.Redirect("/");
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect("/login");
        }).RequireAuthorization(AuthSetup.Policy).DisableAntiforgery();

        var pages = app.MapGroup("").RequireAuthorization(AuthSetup.Policy).DisableAntiforgery();
        pages.MapPost("/scope", ScopeAsync);
        pages.MapGet("/", OverviewPage.Render);
        pages.MapGet("/endpoints", EndpointsPage.List);
        pages.MapGet("/endpoints/view", EndpointsPage.Detail);
        pages.MapGet("/requests", RequestsPage.List);
        pages.MapGet("/requests/{id:guid}", RequestsPage.Detail);
        pages.MapGet("/errors", ErrorsPage.List);
        pages.MapGet("/errors/view", ErrorsPage.Detail);
        pages.MapGet("/consumers", ConsumersPage.List);
        pages.MapGet("/consumers/view", ConsumersPage.Detail);
        pages.MapGet("/outgoing", OutgoingPage.Render);
        pages.MapGet("/security", SecurityPage.Render);
        SettingsPage.Map(pages);
    }

    /// <summary>Validates the form's antiforgery token (every dashboard form posts one).</summary>
    public static async Task<bool> IsValidAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static async Task<IResult> LoginAsync(HttpContext context, ISightlineStore store, IAntiforgery antiforgery)
    {
        if (!await IsValidAsync(context, antiforgery)) return Results.Redirect("/login?error=expired");
        var form = await context.Request.ReadFormAsync();
        var user = form["username"].ToString();
        var password = form["password"].ToString();
        if (user.Length == 0 || !store.VerifyUser(user, password)) return Results.Redirect("/login?error=invalid");
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        var returnUrl = context.Request.Query["ReturnUrl"].ToString();
        return Results.Redirect(IsLocal(returnUrl) ? returnUrl : "/");
    }

    private static string LoginForm(HttpContext context, string? error)
    {
        var returnUrl = context.Request.Query["ReturnUrl"].ToString();
        var html = new Html().Raw("<form method=\"post\" action=\"/login").Raw(IsLocal(returnUrl) ? "?ReturnUrl=" + Html.Attr(Uri.EscapeDataString(returnUrl)) : "").Raw("\" class=\"login\">").Raw(Layout.Antiforgery(context));
        if (error is not null) html.Tag("p", error == "expired" ? "The form expired; try again." : "Wrong user name or password.", "error");
        html.Raw("<label>User <input name=\"username\" autocomplete=\"username\" required></label>")
            .Raw("<label>Password <input name=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>")
            .Raw("<button type=\"submit\">Sign in</button></form>");
        return html.ToString();
    }

    /// <summary>True for a path on this site ("/x"), false for anything that could leave it ("//host", "/\host", "http:…").</summary>
    public static bool IsLocal(string? url)
        => !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'));

    private static async Task<IResult> ScopeAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await IsValidAsync(context, antiforgery)) return Results.Redirect("/");
        var form = await context.Request.ReadFormAsync();
        var range = ViewScope.Ranges.Contains(form["range"].ToString()) ? form["range"].ToString() : "1h";
        context.Response.Cookies.Append(ViewScope.CookieName, ViewScope.CookieValue(form["project"].ToString(), Layout.NullIfEmpty(form["environment"]), range),
            new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Secure = context.Request.IsHttps, MaxAge = TimeSpan.FromDays(30), Path = "/" });
        var back = form["back"].ToString();
        if (!IsLocal(back)) back = "/";
        // The range just chosen wins over a range carried in the page's query string.
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(back.Contains('?', StringComparison.Ordinal) ? back[back.IndexOf('?', StringComparison.Ordinal)..] : "");
        var path = back.Split('?')[0];
        return Results.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path,
            query.Where(kv => kv.Key != "range" && kv.Key != "cursor").SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string?>(kv.Key, v)))));
    }
}
