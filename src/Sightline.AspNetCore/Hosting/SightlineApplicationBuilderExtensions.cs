using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Hosting;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds the Sightline middleware to the pipeline.</summary>
public static class SightlineApplicationBuilderExtensions
{
    /// <summary>
    /// Observes every request that reaches this point. Call it early (after <c>UseForwardedHeaders</c>,
    /// before <c>UseExceptionHandler</c>, routing and authentication) so all requests are seen.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddSightline</c> was not called.</exception>
    public static IApplicationBuilder UseSightline(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<SightlineMarker>() is null)
            throw new InvalidOperationException("UseSightline() needs the Sightline services: call builder.Services.AddSightline(o => o.ApiKey = ...) before building the app.");
        return app.UseMiddleware<SightlineMiddleware>();
    }
}
