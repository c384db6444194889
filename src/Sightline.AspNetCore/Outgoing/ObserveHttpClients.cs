using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;

namespace Sightline.AspNetCore.Outgoing;

/// <summary>Adds <see cref="SightlineHttpHandler"/> to every <c>IHttpClientFactory</c> client except those named in <see cref="SightlineOptions.ExcludeHttpClients"/>.</summary>
internal sealed class ObserveHttpClients(IOptions<SightlineOptions> options) : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    public void Configure(string? name, HttpClientFactoryOptions factoryOptions)
    {
        if (options.Value.ExcludeHttpClients.Contains(name ?? "", StringComparer.Ordinal)) return;
        factoryOptions.HttpMessageHandlerBuilderActions.Add(static builder =>
        {
            var sp = builder.Services;
            builder.AdditionalHandlers.Add(new SightlineHttpHandler(sp.GetRequiredService<CaptureSettings>(), sp.GetRequiredService<OutgoingSettings>(), sp.GetRequiredService<ITelemetrySink>(),
                sp.GetRequiredService<TimeProvider>()));
        });
    }

    public void Configure(HttpClientFactoryOptions factoryOptions) => Configure(Options.DefaultName, factoryOptions);
}
