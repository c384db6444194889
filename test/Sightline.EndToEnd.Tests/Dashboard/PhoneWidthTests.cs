using Sightline.Server.Query;

namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>At a phone's width (390×844) no page scrolls sideways (wide tables scroll inside their own box); screenshots kept as artifacts.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class PhoneWidthTests(EndToEndFixture fixture)
{
    [Fact]
    public async Task Pages_AtPhoneWidth_HaveNoHorizontalOverflow()
    {
        var page = await fixture.SignedInPageAsync(390, 844);
        var overflowing = new List<string>();
        var partner = fixture.Store.SearchRequests(fixture.ProjectId, new RequestFilter(null, null, "/partner/quote", null, null, null, null, null, null, null, 1)).Items.Single();
        var pages = new[]
        {
            ("/", "overview"), ("/endpoints", "endpoints"), ("/endpoints/view?method=GET&route=%2Fusers%2F%7Bid%3Aint%7D", "endpoint"),
            ("/requests", "requests"), ("/requests/" + partner.Id, "request"), ("/errors", "errors"), ("/consumers", "consumers"),
            ("/consumers/view?id=ent-acme", "consumer"), ("/outgoing", "outgoing"), ("/security", "security"), ("/settings", "settings"),
        };

        foreach (var (path, name) in pages)
        {
            await page.GotoAsync(path);
            var scrollWidth = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            var innerWidth = await page.EvaluateAsync<int>("() => window.innerWidth");
            if (scrollWidth > innerWidth) overflowing.Add($"{path}: {scrollWidth} > {innerWidth}");
            await EndToEndFixture.ScreenshotAsync(page, "phone-" + name);
        }

        Assert.Empty(overflowing);
        await page.Context.CloseAsync();
    }
}
