using Microsoft.AspNetCore.Authentication.Cookies;

namespace Sightline.Server.Hosting;

/// <summary>Cookie sign-in for the dashboard and query API: HttpOnly, SameSite=Strict, 8 h sliding.</summary>
internal static class AuthSetup
{
    public const string Policy = "SightlineUser";

    public static void AddSightlineAuth(this IServiceCollection services)
    {
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "sightline.auth";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.ExpireTimeSpan = TimeSpan.FromHours(8);
            o.SlidingExpiration = true;
            o.LoginPath = "/login";
            o.Events.OnRedirectToLogin = context =>
            {
                if (context.Request.Path.StartsWithSegments("/api"))
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                    return Task.CompletedTask;
                }
                context.Response.Redirect(context.RedirectUri);
                return Task.CompletedTask;
            };
        });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser());
        services.AddAntiforgery(o => o.Cookie.Name = "sightline.af");
    }
}
