using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Outgoing;

/// <summary>Calls made by a <see cref="BackgroundService"/> of the app (no request around them), to a second real Kestrel app.</summary>
public sealed class BackgroundCallTests : IAsyncLifetime
{
    private Collector _collector = null!;
    private WebApplication _partner = null!;
    private Uri _partnerAddress = null!;
    private SdkApp _app = null!;
    private int _deadPort;

    public async Task InitializeAsync()
    {
        _collector = await Collector.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _partner = builder.Build();
        _partner.MapGet("/quote", () => Results.Json(new { price = 9.5, token = "tok" }));
        _partner.MapGet("/slow", async (CancellationToken ct) => { await Task.Delay(5000, ct); return "late"; });
        await _partner.StartAsync();
        _partnerAddress = new Uri(_partner.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _deadPort = ((IPEndPoint)listener.LocalEndpoint).Port; // closed again: connecting is refused
        }
        _app = await SdkApp.StartAsync(_collector.Address, o => o.RedactOutgoingResponseBody = ["$.token"], _ => { }, services =>
        {
            services.AddHttpClient("partner");
            services.AddHttpClient("impatient", c => c.Timeout = TimeSpan.FromMilliseconds(300));
            services.AddSingleton(Channel.CreateUnbounded<string>());
            services.AddHostedService<PricePoller>();
        });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _partner.StopAsync();
        await _partner.DisposeAsync();
        await _collector.DisposeAsync();
    }

    private async Task<RequestRecord> RunAsync(string url)
    {
        await _app.App.Services.GetRequiredService<Channel<string>>().Writer.WriteAsync(url);
        return await _collector.WaitForRecordAsync(r => r.Url == url);
    }

    [Fact]
    public async Task BackgroundService_Call_StandaloneRecordWithBody()
    {
        var record = await RunAsync(new Uri(_partnerAddress, "/quote").ToString());

        Assert.Equal(WireConstants.DirectionOutgoing, record.Direction);
        Assert.Null(record.ParentId);
        Assert.Equal(200, record.Status);
        Assert.Equal("{\"price\":9.5,\"token\":\"[CLIENT_REDACTED]\"}", record.ResponseBody!.Content);
        Assert.Matches("^[0-9a-f]{32}$", record.TraceId!);
        Assert.Null(record.Errors);
    }

    [Fact]
    public async Task BackgroundService_RefusedCall_FullRecordWithSocketError()
    {
        var record = await RunAsync($"http://127.0.0.1:{_deadPort}/quote");

        Assert.Null(record.ParentId);
        Assert.Equal(0, record.Status);
        Assert.Equal("GET", record.Method);
        Assert.Equal($"127.0.0.1:{_deadPort}", record.Host);
        Assert.NotEmpty(record.RequestHeaders!);
        var error = Assert.Single(record.Errors!);
        Assert.Equal("System.Net.Http.HttpRequestException", error.Type);
        Assert.Equal("outgoing", error.Source);
        Assert.False(error.Handled);
        Assert.Equal("System.Net.Sockets.SocketException", Assert.Single(error.Inner!).Type);
        Assert.NotNull(error.Fingerprint);
    }

    [Fact]
    public async Task BackgroundService_TimedOutCall_FullRecordWithTimeout()
    {
        var record = await RunAsync(new Uri(_partnerAddress, "/slow").ToString());

        Assert.Null(record.ParentId);
        Assert.Equal(0, record.Status);
        Assert.True(record.DurationNs >= TimeSpan.FromMilliseconds(250).Ticks * 100, $"duration {record.DurationNs} ns");
        var error = Assert.Single(record.Errors!);
        // HttpClient turns its Timeout into a cancellation of the handlers' token (it adds TimeoutException
        // only above them), so the record shows a cancellation whose duration is the timeout.
        Assert.Equal("System.Threading.Tasks.TaskCanceledException", error.Type);
        Assert.True(record.DurationNs < TimeSpan.FromSeconds(4).Ticks * 100, "the call did not wait for the slow answer");
    }

    /// <summary>A typical worker: polls URLs it is given, handles its own failures.</summary>
    private sealed class PricePoller(IHttpClientFactory factory, Channel<string> work) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await foreach (var url in work.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    var client = factory.CreateClient(url.EndsWith("/slow", StringComparison.Ordinal) ? "impatient" : "partner");
                    await client.GetStringAsync(url, stoppingToken);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // a worker that keeps going
                }
            }
        }
    }
}
