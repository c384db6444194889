using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Sightline.AspNetCore;

using Sightline.AspNetCore.Tests;

namespace Sightline.ApiKeys.Tests.Monitoring;

/// <summary>
/// With the Sightline SDK in the same app, the SDK's records carry the key's consumer and refusals are shipped as
/// security events — to a real collector over HTTP, through the SDK's real shipper.
/// </summary>
public sealed class SightlineMonitoringTests : IAsyncLifetime
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
            first: app => app.UseSightline());
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _collector.DisposeAsync();
    }

    [Fact]
    public async Task Authenticated_RecordCarriesKeyConsumer()
    {
        var created = await _app.CreateKeyAsync("billing", r =>
        {
            r.ConsumerId = "customer-77";
            r.ConsumerName = "Globex";
            r.ConsumerGroup = "Partners";
        });

        Assert.Equal(HttpStatusCode.OK, (await _app.GetAsync("/hello?n=1", created.Key)).StatusCode);

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/hello" && r.Status == 200);
        Assert.Equal("customer-77", record.Consumer!.Identifier);
        Assert.Equal("Globex", record.Consumer.Name);
        Assert.Equal("Partners", record.Consumer.Group);
        Assert.DoesNotContain(created.Key, record.RequestHeaders!.Values);
    }

    [Fact]
    public async Task KeyWithoutConsumer_ConsumerIsDisplayPrefix()
    {
        var created = await _app.CreateKeyAsync("anonymous", r => { r.ConsumerId = null; r.ConsumerName = null; r.ConsumerGroup = null; });

        await _app.GetAsync("/hello?n=2", created.Key);

        var record = await _collector.WaitForRecordAsync(r => r.Path == "/hello" && r.Query == "?n=2");
        Assert.Equal(created.Record.DisplayPrefix, record.Consumer!.Identifier);
        Assert.Equal("anonymous", record.Consumer.Name);
    }

    [Fact]
    public async Task Refused_ShippedAsSecurityEventWithoutSecret()
    {
        var created = await _app.CreateKeyAsync();
        await _app.Manager.RevokeAsync(created.Record.Id);

        Assert.Equal(HttpStatusCode.Unauthorized, (await _app.GetAsync("/hello", created.Key)).StatusCode);

        await _collector.WaitUntilAsync(() => _collector.Batches.SelectMany(b => b.SecurityEvents).Any(e => e.KeyId == created.Record.Id));
        var securityEvent = _collector.Batches.SelectMany(b => b.SecurityEvents).Single(e => e.KeyId == created.Record.Id);
        Assert.Equal("apikey.refused", securityEvent.Kind);
        Assert.Equal(ApiKeyFailureReasons.Revoked, securityEvent.Reason);
        Assert.Equal(created.Record.DisplayPrefix, securityEvent.KeyPrefix);
        Assert.Equal("127.0.0.1", securityEvent.ClientIp);
        Assert.Equal("/hello", securityEvent.Path);
        Assert.Equal("GET", securityEvent.Method);
        var secret = created.Key[(created.Key.LastIndexOf('_') + 1)..];
        Assert.DoesNotContain(_collector.Batches.SelectMany(b => b.SecurityEvents), e => (e.KeyPrefix ?? "").Contains(secret, StringComparison.Ordinal));
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
    public async Task MissingKey_ShippedAsSecurityEvent()
    {
        await _app.GetAsync("/admin/users", null);

        await _collector.WaitUntilAsync(() => _collector.Batches.SelectMany(b => b.SecurityEvents).Any(e => e.Reason == ApiKeyFailureReasons.Missing && e.Path == "/admin/users"));
    }
}
