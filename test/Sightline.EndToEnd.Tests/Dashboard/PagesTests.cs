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
    [InlineData("/outgoing", "outgoing", "Outgoing calls", "127.0.0.1:")]
    [InlineData("/settings", "settings", "Settings", "production")]
    [InlineData("/endpoints/view?method=GET&route=%2Fcheckout%2Ffail", "endpoint", "Endpoint", "Slowest requests")]
    [InlineData("/consumers/view?id=ent-acme", "consumer", "Consumer", "/checkout/fail")]
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

    [Fact]
    public async Task EndpointPage_ShowsStatusesConsumersAndSlowestRequests()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/endpoints");
        await EndToEndFixture.ClickAndWaitAsync(page, "table.endpoints a:text-is('/users/{id:int}')");

        Assert.Equal("Endpoint", await page.TextContentAsync("h1"));
        var breakdown = await page.Locator("svg.breakdown").TextContentAsync() ?? "";
        Assert.Contains("200", breakdown, StringComparison.Ordinal);
        Assert.Contains("404", breakdown, StringComparison.Ordinal);
        var consumers = await page.Locator("section.columns table").Last.InnerTextAsync();
        Assert.Contains("ent-acme", consumers, StringComparison.Ordinal);
        Assert.Contains("self-bob", consumers, StringComparison.Ordinal);
        var slowest = await page.Locator("table.log tbody tr").AllInnerTextsAsync();
        Assert.Equal(8, slowest.Count); // /users/1..6, /users/5000 and the partner's /users/1
        var durations = slowest.Select(r => double.Parse(r.Split('\t')[4].Replace(" ms", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(durations.OrderByDescending(d => d), durations);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ErrorGroupPage_ShowsAffectedEndpointConsumerAndSamples()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/errors");
        await EndToEndFixture.ClickAndWaitAsync(page, "table.errors tr:has-text('Payment provider rejected') a");

        Assert.Equal("Error", await page.TextContentAsync("h1"));
        var main = await page.InnerTextAsync("main");
        Assert.Contains("GET /checkout/fail", main, StringComparison.Ordinal);
        Assert.Contains("ent-acme", main, StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator("table.log tbody tr").CountAsync());
        Assert.True(await page.Locator("svg.chart rect.bar-error").CountAsync() >= 1);
        await EndToEndFixture.ScreenshotAsync(page, "error-group");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OutgoingPage_ListsTheHostCalledWithItsLatency()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/outgoing");

        var row = await page.Locator("table.hosts tbody tr").First.InnerTextAsync();
        var cells = row.Split('\t');
        Assert.Equal(fixture.OrdersAddress.Authority, cells[0]);
        Assert.Equal("1", cells[1]);
        Assert.Equal("0", cells[2]);
        Assert.EndsWith(" ms", cells[5], StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SecurityPage_CountsRefusalsByReasonIpAndPrefix()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/security");

        var main = await page.InnerTextAsync("main");
        Assert.Contains("Refused attempts\n3", main, StringComparison.Ordinal);
        foreach (var reason in new[] { "missing", "unknown", "malformed" }) Assert.Contains(reason, main, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1\t3", main, StringComparison.Ordinal);
        Assert.Contains("sk_live_\t1", main, StringComparison.Ordinal);
        Assert.Equal(3, await page.Locator("svg.chart text.legend").CountAsync());
        await page.Context.CloseAsync();
    }
}
