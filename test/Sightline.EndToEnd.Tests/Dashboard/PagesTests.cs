namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>Each page renders with the data the SDK shipped; a screenshot of each is kept as a test artifact.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PagesTests(EndToEndFixture fixture)
{
    [Theory]
    [InlineData("/", "overview", "Overview", "/users/{id:int}")]
    [InlineData("/endpoints", "endpoints", "Endpoints", "/checkout/fail")]
    [InlineData("/requests", "requests", "Request log", "/partner/quote")]
    [InlineData("/errors", "errors", "Errors", "Payment provider rejected the charge")]
    [InlineData("/consumers", "consumers", "Consumers", "ent-acme")]
    [InlineData("/security", "security", "Security", "sk_live_")]
    public async Task Page_RendersIngestedData(string path, string screenshot, string title, string expected)
    {
        var page = await fixture.SignedInPageAsync();

        var response = await page.GotoAsync(path);

        Assert.Equal(200, response!.Status);
        Assert.Equal(title, await page.TextContentAsync("h1"));
        Assert.Contains(expected, await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, screenshot);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Overview_ShowsChartsWithHoverValuesAndPercentileLines()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/");

        Assert.True(await page.Locator("svg.chart").CountAsync() >= 2);
        Assert.Equal(3, await page.Locator("svg.chart polyline.line").CountAsync()); // p50, p95, p99
        var hover = await page.Locator("svg.chart g title").First.TextContentAsync();
        Assert.Matches(@"\d\d:\d\d UTC — \d+ requests, \d+ errors", hover);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task RequestPage_ShowsRedactedFieldAndOutgoingCallUnderItsParent()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/requests?route=" + Uri.EscapeDataString("/partner/quote"));
        await EndToEndFixture.ClickAndWaitAsync(page, "table.log a");

        var timeline = await page.InnerTextAsync("ul.timeline");
        Assert.Contains("GET", timeline, StringComparison.Ordinal);
        Assert.Contains(fixture.OrdersAddress.Authority + "/users/1", timeline, StringComparison.Ordinal);
        Assert.Contains("200", timeline, StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, "request-with-outgoing");

        await page.GotoAsync("/requests?route=" + Uri.EscapeDataString("/users/{id:int}") + "&q=%2Fusers%2F2");
        await EndToEndFixture.ClickAndWaitAsync(page, "table.log a");
        var body = await page.InnerTextAsync("main");
        Assert.Contains("\"email\": \"[CLIENT_REDACTED]\"", body, StringComparison.Ordinal);
        Assert.Contains("\"zip\": \"[CLIENT_REDACTED]\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("user2@example.com", body, StringComparison.Ordinal);
        Assert.DoesNotContain("10115", body, StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, "request");
        await page.Context.CloseAsync();
    }
}
