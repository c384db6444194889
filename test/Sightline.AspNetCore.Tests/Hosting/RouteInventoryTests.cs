using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Hosting;

public sealed class RouteInventoryTests
{
    [Fact]
    public async Task Startup_InventoryListsMinimalApisGroupsAndControllersBeforeAnyTraffic()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => o.ServiceVersion = "v3.1", a =>
        {
            a.MapGet("/items/{id:int}", (int id) => id);
            a.MapPost("/items", () => Results.Created());
            a.MapMethods("/multi", ["GET", "HEAD"], () => "m");
            a.Map("/any", () => "any");
            a.MapGet("/healthz", () => "healthy"); // excluded by default: never observed, so not listed
            var users = a.MapGroup("/api/v2").MapGroup("/users");
            users.MapGet("/{id}", (string id) => id);
            users.MapDelete("/{id}", (string id) => Results.NoContent());
            a.MapControllers();
        }, services => services.AddControllers().AddApplicationPart(typeof(InventoryController).Assembly));

        await collector.WaitUntilAsync(() => collector.Batches.SelectMany(b => b.Heartbeats).Any(h => h.Kind == "startup"));

        var startup = collector.Batches.SelectMany(b => b.Heartbeats).Single(h => h.Kind == "startup");
        var routes = startup.Routes!.Select(r => (r.Method, r.Template)).ToHashSet();
        Assert.Contains(("GET", "/items/{id:int}"), routes);
        Assert.Contains(("POST", "/items"), routes);
        Assert.Contains(("GET", "/multi"), routes);
        Assert.Contains(("HEAD", "/multi"), routes);
        Assert.Contains(("*", "/any"), routes);
        Assert.Contains(("GET", "/api/v2/users/{id}"), routes);
        Assert.Contains(("DELETE", "/api/v2/users/{id}"), routes);
        Assert.Contains(("GET", "/api/inventory/{sku}"), routes);
        Assert.Contains(("POST", "/api/inventory"), routes);
        Assert.Contains(("PUT", "/api/inventory/{sku}/stock"), routes);
        Assert.DoesNotContain(startup.Routes!, r => r.Template == "/healthz");
        Assert.Equal(routes.Count, startup.Routes!.Count); // no duplicates
        Assert.Contains(startup.Routes!, r => r.Template == "/api/inventory/{sku}" && r.DisplayName!.Contains(nameof(InventoryController), StringComparison.Ordinal));
        Assert.Empty(collector.Records); // known before any request

        var service = startup.Service!;
        Assert.Equal("v3.1", service.Version);
        Assert.Equal("0.1.0", service.SdkVersion);
        Assert.StartsWith(".NET", service.Runtime, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$", service.Instance!);
        Assert.Equal(60, startup.IntervalSeconds);
    }

    [Fact]
    public async Task Heartbeat_SentEveryIntervalWithTheSameInstance()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(200), a => a.MapGet("/", () => "x"));

        await collector.WaitUntilAsync(() => collector.Batches.SelectMany(b => b.Heartbeats).Count(h => h.Kind == "heartbeat") >= 2);

        var beats = collector.Batches.SelectMany(b => b.Heartbeats).ToList();
        Assert.Single(beats, h => h.Kind == "startup");
        Assert.Single(beats.Select(h => h.Service!.Instance).Distinct());
        Assert.All(beats.Where(h => h.Kind == "heartbeat"), h => Assert.Null(h.Routes)); // the inventory is sent once
    }
}

[ApiController]
[Route("api/inventory")]
public sealed class InventoryController : ControllerBase
{
    [HttpGet("{sku}")]
    public IActionResult Get(string sku) => Ok(sku);

    [HttpPost]
    public IActionResult Create() => Ok();

    [HttpPut("{sku}/stock")]
    public IActionResult Stock(string sku) => Ok(sku);
}
