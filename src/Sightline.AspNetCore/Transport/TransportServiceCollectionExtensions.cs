using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Sightline.AspNetCore.Transport;

/// <summary>Registers the queue and the background shipper.</summary>
internal static class TransportServiceCollectionExtensions
{
    public static IServiceCollection AddSightlineTransport(this IServiceCollection services)
    {
        services.TryAddSingleton<TransportMetrics>();
        services.TryAddSingleton<TelemetryQueue>();
        services.TryAddSingleton<ITelemetrySink>(static sp => sp.GetRequiredService<TelemetryQueue>());
        services.TryAddSingleton<SightlineShipper>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SightlineShipper>(static sp => sp.GetRequiredService<SightlineShipper>()));
        return services;
    }
}
