using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Sightline.AspNetCore.Tests.Hosting;

public sealed class OptionsTests
{
    private static async Task<string> StartFailureAsync(Action<SightlineOptions> configure, Dictionary<string, string?>? config = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (config is not null) builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSightline(configure);
        await using var app = builder.Build();
        app.UseSightline();
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        return e.Message;
    }

    [Fact]
    public async Task Start_MissingApiKey_FailsNamingTheOption()
    {
        var message = await StartFailureAsync(_ => { });

        Assert.Contains("Sightline:ApiKey is required", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_InvalidJsonPath_FailsNamingOptionAndPosition()
    {
        var message = await StartFailureAsync(o => { o.ApiKey = "k"; o.RedactResponseBody = ["$.ok", "$.user["]; });

        Assert.Contains("Sightline:RedactResponseBody[1]", message, StringComparison.Ordinal);
        Assert.Contains("'$.user['", message, StringComparison.Ordinal);
        Assert.Contains("position 7", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SampleRate", "1.5")]
    [InlineData("MaxBodySize", "-1")]
    [InlineData("Endpoint", "ftp://example.com")]
    [InlineData("QueueCapacity", "0")]
    [InlineData("QueueCapacity", "2000000")]
    [InlineData("BatchMaxItems", "0")]
    [InlineData("BatchMaxItems", "10001")] // the server takes 10,000 items per batch at most
    [InlineData("BatchMaxBytes", "16777217")] // and 16 MiB
    public async Task Start_BadValueFromConfiguration_FailsNamingTheOption(string option, string value)
    {
        var message = await StartFailureAsync(_ => { }, new() { ["Sightline:ApiKey"] = "k", [$"Sightline:{option}"] = value });

        Assert.Contains($"Sightline:{option}", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RedactOutgoingRequestBody")]
    [InlineData("RedactOutgoingResponseBody")]
    public async Task Start_InvalidOutgoingJsonPath_FailsNamingTheOption(string option)
    {
        var message = await StartFailureAsync(_ => { }, new() { ["Sightline:ApiKey"] = "k", [$"Sightline:{option}:0"] = "$.ok", [$"Sightline:{option}:1"] = "$..[" });

        Assert.Contains($"Sightline:{option}[1] is not a valid RFC 9535 JSONPath", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_OutgoingCapture_DefaultsMatchIncoming()
    {
        var options = new SightlineOptions();

        Assert.Equal(options.CaptureRequestBody, options.CaptureOutgoingRequestBody);
        Assert.Equal(options.CaptureResponseBody, options.CaptureOutgoingResponseBody);
        Assert.Empty(options.RedactOutgoingRequestBody);
        Assert.Empty(options.RedactOutgoingResponseBody);
        Assert.Empty(options.RedactOutgoingHeaders);
    }

    [Fact]
    public void Options_BindFromConfiguration_CodeWins()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Sightline:ApiKey"] = "from-config",
            ["Sightline:ServiceVersion"] = "config-version",
            ["Sightline:RedactHeaders:0"] = "X-From-Config",
        }).Build());
        services.AddSightline(o => o.ServiceVersion = "code-version");
        services.AddSightline(); // idempotent

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<SightlineOptions>>().Value;

        Assert.Equal("from-config", options.ApiKey);
        Assert.Equal("code-version", options.ServiceVersion);
        Assert.Equal(["X-From-Config"], options.RedactHeaders);
        Assert.Equal(1, services.Count(d => d.ServiceType == typeof(Sightline.AspNetCore.Transport.SightlineShipper)));
    }

    [Fact]
    public void UseSightline_WithoutAddSightline_ThrowsClearError()
    {
        var builder = WebApplication.CreateSlimBuilder();
        var app = builder.Build();

        var e = Assert.Throws<InvalidOperationException>(() => app.UseSightline());

        Assert.Contains("AddSightline", e.Message, StringComparison.Ordinal);
    }
}
