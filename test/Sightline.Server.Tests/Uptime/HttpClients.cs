using Microsoft.Extensions.DependencyInjection;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Uptime;

/// <summary>The real IHttpClientFactory with the server's named clients.</summary>
internal static class HttpClients
{
    private static readonly ServiceProvider s_services = Build();

    public static IHttpClientFactory Factory => s_services.GetRequiredService<IHttpClientFactory>();

    private static ServiceProvider Build()
    {
        var services = new ServiceCollection();
        services.AddHttpClient(UptimeChecker.HttpClientName).ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.AddHttpClient(AlertNotifier.HttpClientName).ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler { AllowAutoRedirect = false });
        return services.BuildServiceProvider();
    }
}
