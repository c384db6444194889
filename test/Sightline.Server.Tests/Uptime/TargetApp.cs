using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Sightline.Server.Tests.Uptime;

/// <summary>
/// A real HTTP target on Kestrel at 127.0.0.1 for uptime checks: its answer can be changed, and it can
/// go down (Kestrel stopped: connections refused) and come back on the same port.
/// </summary>
internal sealed class TargetApp : IAsyncDisposable
{
    private WebApplication? _app;
    private int _hits;

    public int Port { get; private set; }
    public Uri Url => new($"http://127.0.0.1:{Port}/health");
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>Status to answer (default 200).</summary>
    public int Status { get; set; } = 200;

    /// <summary>Body to answer (default "ok").</summary>
    public string Body { get; set; } = "ok";

    /// <summary>Delay before answering.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Optional per-request answer (overrides Status), given the 1-based hit number.</summary>
    public Func<int, int>? StatusByHit { get; set; }

    public static async Task<TargetApp> StartAsync()
    {
        var target = new TargetApp();
        await target.UpAsync();
        return target;
    }

    public async Task UpAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        var app = builder.Build();
        app.MapMethods("/health", ["GET", "HEAD", "POST"], async (HttpContext context) =>
        {
            var hit = Interlocked.Increment(ref _hits);
            if (Delay > TimeSpan.Zero) await Task.Delay(Delay, context.RequestAborted);
            context.Response.StatusCode = StatusByHit?.Invoke(hit) ?? Status;
            await context.Response.WriteAsync(Body);
        });
        await app.StartAsync();
        Port = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()).Port;
        _app = app;
    }

    public async Task DownAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(DownAsync());
}
