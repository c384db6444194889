namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>At a phone's width (390×844) no page scrolls sideways; screenshots kept as artifacts.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PhoneWidthTests(EndToEndFixture fixture)
{
    [Fact]
    public async Task Pages_AtPhoneWidth_HaveNoHorizontalOverflow()
    {
        var page = await fixture.SignedInPageAsync(390, 844);
        var overflowing = new List<string>();

        foreach (var (path, name) in new[] { ("/", "overview"), ("/endpoints", "endpoints"), ("/requests", "requests"), ("/errors", "errors"), ("/consumers", "consumers"), ("/security", "security") })
        {
            await page.GotoAsync(path);
            var (scrollWidth, innerWidth) = (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth"), await page.EvaluateAsync<int>("() => window.innerWidth"));
            if (scrollWidth > innerWidth) overflowing.Add($"{path}: {scrollWidth} > {innerWidth}");
            await EndToEndFixture.ScreenshotAsync(page, "phone-" + name);
        }

        Assert.Empty(overflowing);
        await page.Context.CloseAsync();
    }
}
