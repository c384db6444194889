using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sightline.Server.Tests.Uptime;

/// <summary>
/// A real forwarding hop on 127.0.0.1 between an SDK app and the server: while open it passes ingest
/// requests through; while cut it answers 503, so the app's telemetry (heartbeats included) stops arriving.
/// </summary>
internal sealed class IngestGate : IAsyncDisposable
{
    private static readonly HttpClient s_client = new();
    private readonly WebApplication _app;
    private volatile bool _open = true;

    private IngestGate(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    public void Cut() => _open = false;

    public void Open() => _open = true;

    public static async Task<IngestGate> StartAsync(Uri server)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var gate = new IngestGate(app);
        app.Run(async context =>
        {
            if (!gate._open)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            using var forward = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(server, context.Request.Path + context.Request.QueryString))
            {
                Content = new ByteArrayContent(body.ToArray()),
            };
            foreach (var (name, values) in context.Request.Headers)
            {
                if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) forward.Content.Headers.TryAddWithoutValidation(name, values.ToArray());
                else if (!name.Equals("Host", StringComparison.OrdinalIgnoreCase)) forward.Headers.TryAddWithoutValidation(name, values.ToArray());
            }
            using var response = await s_client.SendAsync(forward, context.RequestAborted);
            context.Response.StatusCode = (int)response.StatusCode;
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        });
        await app.StartAsync();
        gate.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return gate;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
