using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Outgoing;
using Sightline.AspNetCore.Transport;

namespace Sightline.AspNetCore;

/// <summary>Observed HTTP clients for code that builds its own <see cref="HttpClient"/> (the seed's <c>observe_request</c>).</summary>
public static class SightlineHttpClientExtensions
{
    /// <summary>
    /// Creates a handler that records calls (see <see cref="SightlineHttpHandler"/>) around
    /// <paramref name="inner"/> (default: a new <see cref="SocketsHttpHandler"/>). Clients from
    /// <c>IHttpClientFactory</c> are observed automatically; use this for hand-built clients.
    /// </summary>
    public static SightlineHttpHandler CreateSightlineHandler(this IServiceProvider services, HttpMessageHandler? inner = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        return new SightlineHttpHandler(services.GetRequiredService<CaptureSettings>(), services.GetRequiredService<OutgoingSettings>(), services.GetRequiredService<ITelemetrySink>(),
            services.GetRequiredService<TimeProvider>())
        {
            InnerHandler = inner ?? new SocketsHttpHandler(),
        };
    }
}
