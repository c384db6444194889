namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>The request log explorer's filters, used as a person would: fill the form, submit, read the rows.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RequestLogTests(EndToEndFixture fixture)
{
    private static async Task<IReadOnlyList<string>> RowsAsync(Microsoft.Playwright.IPage page)
        => await page.Locator("table.log tr:has(td)").AllInnerTextsAsync();

    [Fact]
    public async Task Filters_StatusClass_ShowsOnlyServerErrors()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/requests");
        var all = await RowsAsync(page);

        await page.SelectOptionAsync("form.filters select[name=statusClass]", "5");
        await EndToEndFixture.ClickAndWaitAsync(page, "form.filters button[type=submit]");

        var rows = await RowsAsync(page);
        Assert.True(rows.Count >= 4, "three /checkout/fail and one /boom");
        Assert.True(rows.Count < all.Count);
        Assert.All(rows, r => Assert.Contains("\t50", r, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Filters_ConsumerAndPath_NarrowTheList()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/requests");

        await page.FillAsync("form.filters input[name=consumer]", "ent-acme");
        await EndToEndFixture.ClickAndWaitAsync(page, "form.filters button[type=submit]");
        var byConsumer = await RowsAsync(page);
        await page.FillAsync("form.filters input[name=q]", "/checkout");
        await EndToEndFixture.ClickAndWaitAsync(page, "form.filters button[type=submit]");
        var byBoth = await RowsAsync(page);

        Assert.All(byConsumer, r => Assert.Contains("ent-acme", r, StringComparison.Ordinal));
        Assert.Contains(byConsumer, r => r.Contains("/users/2", StringComparison.Ordinal));
        Assert.Equal(3, byBoth.Count);
        Assert.All(byBoth, r => Assert.Contains("/checkout/fail", r, StringComparison.Ordinal));
        Assert.Equal("ent-acme", await page.InputValueAsync("form.filters input[name=consumer]"));
        await EndToEndFixture.ScreenshotAsync(page, "requests-filtered");
        await page.Context.CloseAsync();
    }
}
