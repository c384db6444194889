using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Outgoing;

public sealed class OutgoingTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<string?> _traceparents = new();
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
        _partner.MapGet("/quote", (HttpContext c) =>
        {
            _traceparents.Enqueue(c.Request.Headers["traceparent"]);
            return Results.Json(new { price = 9.5 });
        });
        _partner.MapGet("/slow", async () => { await Task.Delay(3000); return "late"; });
        await _partner.StartAsync();
        _partnerAddress = new Uri(_partner.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            _deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        _app = await SdkApp.StartAsync(_collector.Address, o => o.ExcludeHttpClients = ["internal"], app =>
        {
            app.MapGet("/call/{what}", async (string what, IHttpClientFactory factory, HttpContext context) =>
            {
                var client = factory.CreateClient(what == "excluded" ? "internal" : "partner");
                if (what == "slow") client.Timeout = TimeSpan.FromMilliseconds(300); // a refused call must not race the timeout on a busy machine
                var url = what switch
                {
                    "refused" => $"http://127.0.0.1:{_deadPort}/quote",
                    "slow" => new Uri(_partnerAddress, "/slow?api_key=secret").ToString(),
                    _ => new Uri(_partnerAddress, "/quote?token=secret-token&x=1").ToString(),
                };
                try
                {
                    return Results.Text(await client.GetStringAsync(url));
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    return Results.StatusCode(502);
                }
            });
        }, services => services.AddHttpClient("partner"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _partner.StopAsync();
        await _partner.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Outgoing_InsideRequest_LinkedToParentWithTraceparentAndRedactedQuery()
    {
        await _app.Client.GetStringAsync("/call/ok");

        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/call/ok");
        var child = Assert.Single(parent.Outgoing!);
        Assert.Equal(WireConstants.DirectionOutgoing, child.Direction);
        Assert.Equal(parent.Id, child.ParentId);
        Assert.Equal(200, child.Status);
        Assert.Equal("GET", child.Method);
        Assert.Equal(_partnerAddress.Authority, child.Host);
        Assert.Equal($"{_partnerAddress.GetLeftPart(UriPartial.Authority)}/quote?token=%5BCLIENT_REDACTED%5D&x=1", child.Url);
        Assert.Equal(parent.TraceId, child.TraceId);
        Assert.Contains(_traceparents, t => t is not null && t.Contains(parent.TraceId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outgoing_Refused_IsAFullRecordWithError()
    {
        var response = await _app.Client.GetAsync("/call/refused");

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/call/refused");
        var child = Assert.Single(parent.Outgoing!);
        Assert.Equal(0, child.Status);
        Assert.Equal("System.Net.Http.HttpRequestException", Assert.Single(child.Errors!).Type);
        Assert.Equal($"127.0.0.1:{_deadPort}", child.Host);
        Assert.True(child.DurationNs > 0);
    }

    [Fact]
    public async Task Outgoing_Timeout_RecordedAsCancellation()
    {
        await _app.Client.GetAsync("/call/slow");

        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/call/slow");
        var child = Assert.Single(parent.Outgoing!);
        Assert.Equal(0, child.Status);
        Assert.Contains("Canceled", Assert.Single(child.Errors!).Type, StringComparison.Ordinal);
        Assert.Contains("api_key=%5BCLIENT_REDACTED%5D", child.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outgoing_OutsideAnyRequest_SentAsStandaloneRecord()
    {
        var client = _app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner");

        await client.GetStringAsync(new Uri(_partnerAddress, "/quote?from=background"));

        var record = await _collector.WaitForRecordAsync(r => r.Direction == WireConstants.DirectionOutgoing && r.Url!.Contains("from=background", StringComparison.Ordinal));
        Assert.Null(record.ParentId);
        Assert.Equal(200, record.Status);
    }

    [Fact]
    public async Task Outgoing_ExcludedClient_NotRecorded()
    {
        await _app.Client.GetStringAsync("/call/excluded");

        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/call/excluded");
        Assert.Null(parent.Outgoing);
    }

    [Fact]
    public async Task Outgoing_HandBuiltClient_ObservedThroughCreateSightlineHandler()
    {
        using var client = new HttpClient(_app.App.Services.CreateSightlineHandler());

        await client.GetStringAsync(new Uri(_partnerAddress, "/quote?from=manual"));

        var record = await _collector.WaitForRecordAsync(r => r.Url?.Contains("from=manual", StringComparison.Ordinal) == true);
        Assert.Equal(200, record.Status);
    }
}
