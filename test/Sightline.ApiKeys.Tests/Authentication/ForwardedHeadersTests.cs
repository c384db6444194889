using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;

namespace Sightline.ApiKeys.Tests.Authentication;

/// <summary>The allowlist sees the client IP ASP.NET Core's forwarded-headers middleware settles on: X-Forwarded-For only from trusted proxies.</summary>
public sealed class ForwardedHeadersTests
{
    private static Action<WebApplication> ForwardedHeadersTrusting(params string[] proxies) => app =>
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor };
        options.KnownIPNetworks.Clear();
        options.KnownProxies.Clear();
        foreach (var proxy in proxies) options.KnownProxies.Add(IPAddress.Parse(proxy));
        app.UseForwardedHeaders(options);
    };

    [Fact]
    public async Task XForwardedFor_FromTrustedProxy_ClientIpUsedForAllowlist()
    {
        await using var app = await ApiKeyApp.StartAsync(first: ForwardedHeadersTrusting("127.0.0.1"));
        var created = await app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["203.0.113.0/24"]);

        var response = await app.GetAsync("/hello", created.Key, r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("203.0.113.9", (await response.Content.ReadFromJsonAsync<Caller>())!.ClientIp);
    }

    [Fact]
    public async Task XForwardedFor_FromTrustedProxy_ClientOutsideAllowlistRefused()
    {
        await using var app = await ApiKeyApp.StartAsync(first: ForwardedHeadersTrusting("127.0.0.1"));
        var created = await app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["127.0.0.0/8"]);

        var response = await app.GetAsync("/hello", created.Key, r => r.Headers.Add("X-Forwarded-For", "198.51.100.20"));

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
    }

    [Fact]
    public async Task XForwardedFor_SpoofedByUntrustedPeer_Ignored()
    {
        // Only 192.0.2.1 is a trusted proxy; the request comes straight from 127.0.0.1 claiming to be an allowed address.
        await using var app = await ApiKeyApp.StartAsync(first: ForwardedHeadersTrusting("192.0.2.1"));
        var created = await app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["203.0.113.0/24"]);

        var response = await app.GetAsync("/hello", created.Key, r => r.Headers.Add("X-Forwarded-For", "203.0.113.9"));

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
    }

    [Fact]
    public async Task XForwardedFor_LeftmostSpoofedThroughTrustedProxy_RightmostUntrustedHopUsed()
    {
        // The client sends "X-Forwarded-For: 203.0.113.9"; the trusted proxy appends the real peer 198.51.100.20.
        // Only the right-most untrusted address counts (unlike trusting the left-most entry).
        await using var app = await ApiKeyApp.StartAsync(first: ForwardedHeadersTrusting("127.0.0.1"));
        var created = await app.CreateKeyAsync(configure: r => r.AllowedNetworks = ["203.0.113.0/24"]);

        var response = await app.GetAsync("/hello", created.Key, r => r.Headers.Add("X-Forwarded-For", "203.0.113.9, 198.51.100.20"));

        await ApiKeyApp.AssertRefusedAsync(response, HttpStatusCode.Forbidden, ApiKeyFailureReasons.IpNotAllowed);
    }
}
