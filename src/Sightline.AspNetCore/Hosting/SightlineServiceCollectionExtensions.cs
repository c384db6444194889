using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Hosting;
using Sightline.AspNetCore.Metrics;
using Sightline.AspNetCore.Outgoing;
using Sightline.AspNetCore.Transport;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Sightline SDK.</summary>
public static class SightlineServiceCollectionExtensions
{
    /// <summary>
    /// Adds Sightline: options bound from the <c>Sightline</c> configuration section, then
    /// <paramref name="configure"/> (code wins), validated at start-up. Idempotent: calling it again
    /// only adds the extra configuration.
    /// </summary>
    public static IServiceCollection AddSightline(this IServiceCollection services, Action<SightlineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.Any(static d => d.ServiceType == typeof(SightlineMarker)))
        {
            services.AddSingleton<SightlineMarker>();
            services.AddOptions<SightlineOptions>()
                .Configure<IConfiguration>(static (options, configuration) => configuration.GetSection(SightlineOptions.SectionName).Bind(options))
                .ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SightlineOptions>, SightlineOptionsValidator>());
            services.TryAddSingleton(TimeProvider.System);
            services.TryAddSingleton(static sp => new CaptureSettings(sp.GetRequiredService<IOptions<SightlineOptions>>(), sp.GetService<IHostEnvironment>()));
            services.TryAddSingleton(static sp => new MetricsAggregator(sp.GetRequiredService<TimeProvider>()));
            services.AddSightlineTransport();
            services.TryAddSingleton(static sp => new OutgoingSettings(sp.GetRequiredService<IOptions<SightlineOptions>>()));
            services.TryAddSingleton(static sp => new Sightline.AspNetCore.Errors.SightlineErrorReporter(sp.GetRequiredService<CaptureSettings>(),
                sp.GetRequiredService<ITelemetrySink>(), sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<ISightlineErrorReporter>(static sp => sp.GetRequiredService<Sightline.AspNetCore.Errors.SightlineErrorReporter>());
            services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Logging.ILoggerProvider, Sightline.AspNetCore.Errors.LoggedErrorProvider>());
            // Every IHttpClientFactory client is observed unless listed in ExcludeHttpClients.
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<Microsoft.Extensions.Http.HttpClientFactoryOptions>, ObserveHttpClients>());
            services.TryAddSingleton<PeriodicReporter>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, PeriodicReporter>(static sp => sp.GetRequiredService<PeriodicReporter>()));
        }
        if (configure is not null) services.PostConfigure(configure);
        return services;
    }
}

/// <summary>Marks that <c>AddSightline</c> ran (for idempotency and the check in <c>UseSightline</c>).</summary>
internal sealed class SightlineMarker;
