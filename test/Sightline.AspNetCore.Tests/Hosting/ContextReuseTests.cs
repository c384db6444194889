using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Sightline.AspNetCore.Tests.Hosting;

/// <summary>
/// The host reuses one HttpContext per connection unless an IHttpContextAccessor is registered (then it
/// allocates a new one per request and sets an async-local for each). The SDK must not cause that.
/// </summary>
public sealed class ContextReuseTests
{
    [Theory]
    [InlineData(0.0)] // metrics only
    [InlineData(1.0)] // a record per request
    public async Task Sdk_HostStillReusesTheHttpContextPerConnection(double sampleRate)
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await SdkApp.StartAsync(collector.Address, o => o.SampleRate = sampleRate,
            a => a.MapGet("/context", (HttpContext context) => RuntimeHelpers.GetHashCode(context).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        // Sequential requests on one keep-alive connection.
        var seen = new List<string>();
        for (var i = 0; i < 4; i++) seen.Add(await app.Client.GetStringAsync("/context"));

        Assert.Single(seen.Skip(1).Distinct());
        Assert.Null(app.App.Services.GetService<IHttpContextAccessor>());
    }
}
