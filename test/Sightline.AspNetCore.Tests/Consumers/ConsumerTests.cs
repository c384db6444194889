using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore.Hosting;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Consumers;

public sealed class ConsumerTests
{
    private const int Requests = 400;
    private const int Consumers = 8;

    private static string Id(int n) => "cust-" + (n % Consumers);

    [Fact]
    public async Task Consumers_ManyParallelRequests_EachRecordAndMetricCarriesItsOwnConsumer()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, a =>
        {
            a.MapGet("/c/{n:int}", async (int n, HttpContext context) =>
            {
                // Half set the consumer before an await and half after, so requests interleave on threads.
                if (n % 2 == 0) context.SetSightlineConsumer(Id(n), name: "Customer " + (n % Consumers), group: n % Consumers < 4 ? "A" : "B");
                await Task.Delay(Random.Shared.Next(0, 4));
                if (n % 2 == 1) context.SetSightlineConsumer(Id(n), name: "Customer " + (n % Consumers), group: n % Consumers < 4 ? "A" : "B");
                return n;
            });
        });
        using var h2 = new HttpClient { BaseAddress = app.Http2Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };

        // Half over HTTP/1.1 connections, half multiplexed as HTTP/2 streams on shared connections.
        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (n, ct) =>
        {
            var client = n % 2 == 0 ? app.Client : h2;
            Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), await client.GetStringAsync("/c/" + n, ct));
        });
        app.App.Services.GetRequiredService<PeriodicReporter>().FlushMetrics();

        await collector.WaitUntilAsync(() => collector.Records.Count(r => r.RouteTemplate == "/c/{n:int}") == Requests);
        foreach (var record in collector.Records.Where(r => r.RouteTemplate == "/c/{n:int}"))
        {
            var n = int.Parse(record.Path["/c/".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(Id(n), record.Consumer!.Identifier);
            Assert.Equal("Customer " + (n % Consumers), record.Consumer.Name);
            Assert.Equal(n % Consumers < 4 ? "A" : "B", record.Consumer.Group);
        }
        List<MetricSeries> Series() => [.. collector.Batches.SelectMany(b => b.Metrics).SelectMany(m => m.Series).Where(s => s.RouteTemplate == "/c/{n:int}")];
        await collector.WaitUntilAsync(() => Series().Sum(s => s.Count) == Requests);
        var byConsumer = Series().GroupBy(s => s.Consumer).ToDictionary(g => g.Key!, g => g.Sum(s => s.Count));
        Assert.Equal(Consumers, byConsumer.Count);
        Assert.All(Enumerable.Range(0, Consumers), i => Assert.Equal(Requests / Consumers, byConsumer["cust-" + i]));
        Assert.All(Series(), s => Assert.Equal("Customer " + s.Consumer![^1], s.ConsumerName));
    }

    [Fact]
    public async Task Consumer_FromClaim_WhenConfiguredAndCodeWins()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => o.ConsumerClaimType = "sub", SignedInEndpoints);

        await app.Client.GetStringAsync("/me");
        await app.Client.GetStringAsync("/me-explicit");

        var fromClaim = await collector.WaitForRecordAsync(r => r.Path == "/me");
        Assert.Equal("user-42", fromClaim.Consumer!.Identifier);
        Assert.Equal("Ann", fromClaim.Consumer.Name);
        var explicitly = await collector.WaitForRecordAsync(r => r.Path == "/me-explicit");
        Assert.Equal("account-7", explicitly.Consumer!.Identifier);
    }

    [Fact]
    public async Task Consumer_FromClaim_OffByDefault()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, SignedInEndpoints);

        await app.Client.GetStringAsync("/me");

        var record = await collector.WaitForRecordAsync(r => r.Path == "/me");
        Assert.Null(record.Consumer);
    }

    [Fact]
    public async Task Consumer_InvalidValues_CutOrIgnoredNeverThrown()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, null, a =>
        {
            a.MapGet("/long", (HttpContext c) => { c.SetSightlineConsumer("  " + new string('k', 300) + "  ", name: new string('n', 1000), group: " "); return "ok"; });
            a.MapGet("/empty", (HttpContext c) => { c.SetSightlineConsumer("   "); c.SetSightlineConsumer(null!); return "ok"; });
            a.MapGet("/boundary", (HttpContext c) => { c.SetSightlineConsumer(new string('b', WireConstants.MaxConsumerIdentifierLength)); return "ok"; });
        });

        Assert.Equal("ok", await app.Client.GetStringAsync("/long"));
        Assert.Equal("ok", await app.Client.GetStringAsync("/empty"));
        Assert.Equal("ok", await app.Client.GetStringAsync("/boundary"));

        var cut = (await collector.WaitForRecordAsync(r => r.Path == "/long")).Consumer!;
        Assert.Equal(new string('k', WireConstants.MaxConsumerIdentifierLength), cut.Identifier);
        Assert.Equal(WireConstants.MaxConsumerNameLength, cut.Name!.Length);
        Assert.Null(cut.Group);
        Assert.Null((await collector.WaitForRecordAsync(r => r.Path == "/empty")).Consumer);
        Assert.Equal(WireConstants.MaxConsumerIdentifierLength, (await collector.WaitForRecordAsync(r => r.Path == "/boundary")).Consumer!.Identifier.Length);
    }

    private static void SignedInEndpoints(WebApplication app)
    {
        app.Use((context, next) =>
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "user-42"), new Claim(ClaimTypes.Name, "Ann")], "test"));
            return next(context);
        });
        app.MapGet("/me", () => "me");
        app.MapGet("/me-explicit", (HttpContext c) => { c.SetSightlineConsumer("account-7"); return "me"; });
    }
}
