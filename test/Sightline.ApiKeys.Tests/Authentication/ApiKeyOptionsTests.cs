using System.Net;
using Microsoft.Extensions.Options;

namespace Sightline.ApiKeys.Tests.Authentication;

public sealed class ApiKeyOptionsTests
{
    [Fact]
    public async Task Start_InvalidKeyPrefix_FailsNamingOption()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiKeyApp.StartAsync(o => o.KeyPrefix = "Live-Keys"));

        Assert.Contains("Sightline:ApiKeys:KeyPrefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShortPepperInConfiguration_FailsNamingOption()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiKeyApp.StartAsync(configuration: new() { ["Sightline:ApiKeys:Peppers:1"] = "short" }));

        Assert.Contains("Sightline:ApiKeys:Peppers:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_CacheDurationTooLong_FailsNamingOption()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => ApiKeyApp.StartAsync(o => o.CacheDuration = TimeSpan.FromDays(1)));

        Assert.Contains("CacheDuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_BindsSchemeOptions_CodeWins()
    {
        await using var app = await ApiKeyApp.StartAsync(
            o => o.KeyPrefix = "acme_live",
            configuration: new() { ["Sightline:ApiKeys:HeaderName"] = "X-Acme-Key", ["Sightline:ApiKeys:KeyPrefix"] = "ignored" });
        var created = await app.CreateKeyAsync();

        Assert.StartsWith("acme_live_", created.Key, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/hello", null, r => r.Headers.Add("X-Acme-Key", created.Key))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.GetAsync("/hello", created.Key)).StatusCode);
    }

    [Fact]
    public async Task Configuration_Pepper_KeysHashedWithHmac()
    {
        await using var app = await ApiKeyApp.StartAsync(configuration: new() { ["Sightline:ApiKeys:Peppers:1"] = "a-long-random-pepper-value-0123456789" });
        var created = await app.CreateKeyAsync();

        Assert.Equal(1, created.Record.PepperVersion);
        Assert.NotEqual(ApiKeyHasher.Unpeppered.Hash(created.Key), created.Record.Hash);
        Assert.Equal(HttpStatusCode.OK, (await app.GetAsync("/hello", created.Key)).StatusCode);
    }

    [Fact]
    public async Task QueryString_Enabled_AcceptedAndWarnedAtStart()
    {
        await using var app = await ApiKeyApp.StartAsync(o => o.AllowQueryString = true);
        var created = await app.CreateKeyAsync();

        var response = await app.GetAsync("/hello?api_key=" + created.Key, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(app.Logs.Entries, e => e.EventId.Id == 4004 && e.Message.Contains("query string", StringComparison.Ordinal));
    }
}
