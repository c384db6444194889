using Microsoft.Playwright;

namespace Sightline.EndToEnd.Tests.Dashboard;

[Collection(EndToEndCollection.Name)]
public sealed class SignInTests(EndToEndFixture fixture)
{
    [Fact]
    public async Task SignIn_RightPassword_OpensOverviewAndSignOutReturnsToLogin()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("/requests");
        Assert.EndsWith("/login?ReturnUrl=%2Frequests", page.Url, StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, "login");

        await EndToEndFixture.SignInAsync(page);

        Assert.Equal("Overview", await page.TextContentAsync("h1"));
        var cookies = await page.Context.CookiesAsync();
        var auth = Assert.Single(cookies, c => c.Name == "sightline.auth");
        Assert.True(auth.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, auth.SameSite);

        await EndToEndFixture.ClickAndWaitAsync(page, "form.logout button");

        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await page.Context.CookiesAsync(), c => c.Name == "sightline.auth");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_WrongPassword_StaysOnLoginWithMessage()
    {
        var page = await fixture.NewPageAsync();

        await EndToEndFixture.SignInAsync(page, "not-the-password");

        Assert.Contains("/login?error=invalid", page.Url, StringComparison.Ordinal);
        Assert.Contains("Wrong user name or password", await page.TextContentAsync("main"), StringComparison.Ordinal);
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }
}
