using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sightline.AspNetCore.Tests;

/// <summary>An app instrumented with the SDK, on real Kestrel at 127.0.0.1 (HTTP/1.1 and h2c on separate ports).</summary>
internal sealed class SdkApp : IAsyncDisposable
{
    private SdkApp(WebApplication app) => App = app;

    public WebApplication App { get; }
    public Uri Address { get; private set; } = null!;
    public Uri Http2Address { get; private set; } = null!;
    public HttpClient Client { get; } = new();

    public static async Task<SdkApp> StartAsync(Uri collector, Action<SightlineOptions>? configure, Action<WebApplication> map,
        Action<IServiceCollection>? services = null, Action<WebApplication>? beforeSightline = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
            k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
        });
        builder.Services.AddSightline(o =>
        {
            o.ApiKey = "sl_test_key";
            o.Endpoint = collector;
            o.FlushInterval = TimeSpan.FromMilliseconds(100);
            o.SpoolDirectory = Path.Combine(Path.GetTempPath(), "sightline-test-spool", Guid.NewGuid().ToString("n"));
            configure?.Invoke(o);
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        beforeSightline?.Invoke(app);
        app.UseSightline();
        map(app);
        await app.StartAsync();
        var sdkApp = new SdkApp(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Select(a => new Uri(a)).ToList();
        sdkApp.Address = addresses[0];
        sdkApp.Http2Address = addresses[1];
        sdkApp.Client.BaseAddress = sdkApp.Address;
        return sdkApp;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
