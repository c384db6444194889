using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore;
using Sightline.AspNetCore.Tests;

namespace Sightline.ApiKeys.Tests.Middleware;

/// <summary>The SDK identifies the consumer and ships refusals as security events on the light path too (real collector, real shipper).</summary>
public sealed class ApiKeyMiddlewareMonitoringTests : IAsyncLifetime
{
    private Collector _collector = null!;
    private ApiKeyApp _app = null!;

    public async Task InitializeAsync()
    {
        _collector = await Collector.StartAsync();
        _app = await ApiKeyApp.StartAsync(
            services: s => s.AddSightline(o =>
            {
                o.ApiKey = "sl_test_key";
                o.Endpoint = _collector.Address;
                o.FlushInterval = TimeSpan.FromMilliseconds(100);
                o.SpoolDirectory = Path.Combine(Path.GetTempPath(), "sightline-test-spool", Guid.NewGuid().ToString("n"));
            }),
            first: app => app.UseSightline(),
            light: _ => { },
            defaultScheme: false);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Authenticated_RecordCarriesKeyConsumer()
    {
        var created = await _app.CreateKeyAsync("billing", r => { r.ConsumerId = "customer-77"; r.ConsumerName = "Globex"; r.ConsumerGroup = "Partners"; });

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/whoami?n=1", created.Key)).StatusCode);

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/whoami" && r.Status == 200);
        Assert.Equal("customer-77", record.Consumer!.Identifier);
        Assert.Equal("Globex", record.Consumer.Name);
        Assert.Equal("Partners", record.Consumer.Group);
    }

    [Fact]
    public async Task ScopeMissing_ShippedAsSecurityEventAndRecordKeepsConsumer()
    {
        var created = await _app.CreateKeyAsync("reader", r => { r.ConsumerId = "customer-88"; r.Scopes = ["orders:read"]; });

        Assert.Equal(HttpStatusCode.Forbidden, (await _app.SendAsync(HttpMethod.Post, "/orders", created.Key)).StatusCode);

        await _collector.WaitUntilAsync(() => _collector.Batches.SelectMany(b => b.SecurityEvents).Any(e => e.KeyId == created.Record.Id && e.Reason == ApiKeyFailureReasons.ScopeMissing));
        var record = await _collector.WaitForRecordAsync(r => r.Path == "/orders" && r.Status == 403);
        Assert.Equal("customer-88", record.Consumer!.Identifier);
    }

    [Fact]
    public async Task Revoked_ShippedAsSecurityEvent()
    {
        var created = await _app.CreateKeyAsync();
        await _app.Manager.RevokeAsync(created.Record.Id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.GetAsync("/whoami", created.Key)).StatusCode);

        await _collector.WaitUntilAsync(() => _collector.Batches.SelectMany(b => b.SecurityEvents).Any(e => e.KeyId == created.Record.Id && e.Reason == ApiKeyFailureReasons.Revoked));
    }
}
