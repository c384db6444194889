using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>Settings through the browser: ingest keys shown once (create, rotate, revoke) and users.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SettingsTests(EndToEndFixture fixture)
{
    [Fact]
    public async Task IngestKey_CreatedKeyIsShownOnceWorksThenRotateAndRevokeTakeEffect()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        var before = await page.Locator("table.keys tbody tr").CountAsync();

        await EndToEndFixture.ClickAndWaitAsync(page, "text=Create ingest key");
        var key = (await page.TextContentAsync("#new-key"))!.Trim();
        await EndToEndFixture.ScreenshotAsync(page, "settings-new-key");

        Assert.Equal(fixture.ProjectId, await fixture.Keys.ValidateAsync(key, null));
        Assert.Equal(before + 1, await page.Locator("table.keys tbody tr").CountAsync());
        var html = await page.ContentAsync();
        Assert.Single(Regex.Matches(html, Regex.Escape(key)));

        // Never again: not on the settings page, not anywhere else the key could be listed.
        foreach (var path in new[] { "/settings", "/", "/security" })
        {
            await page.GotoAsync(path);
            Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        }

        await page.GotoAsync("/settings");
        var prefix = (await fixture.Keys.ListAsync(fixture.ProjectId)).First(k => !k.Revoked && key.Contains(k.KeyId, StringComparison.Ordinal)).Prefix;
        await EndToEndFixture.ClickAndWaitAsync(page, $"table.keys tr:has-text('{prefix}') button:text-is('Rotate')");
        var rotated = (await page.TextContentAsync("#new-key"))!.Trim();

        Assert.NotEqual(key, rotated);
        Assert.Contains("old key keeps working for 24 hours", await page.TextContentAsync("p.notice"), StringComparison.Ordinal);
        // The old key keeps working for the grace period, so SDKs can switch over without losing data.
        Assert.Equal(fixture.ProjectId, await fixture.Keys.ValidateAsync(key, null));
        Assert.Equal(fixture.ProjectId, await fixture.Keys.ValidateAsync(rotated, null));
        Assert.Contains("works until", await page.Locator($"table.keys tr:has-text('{prefix}')").InnerTextAsync(), StringComparison.Ordinal);

        var rotatedPrefix = (await fixture.Keys.ListAsync(fixture.ProjectId)).First(k => rotated.Contains(k.KeyId, StringComparison.Ordinal)).Prefix;
        await EndToEndFixture.ClickAndWaitAsync(page, $"table.keys tr:has-text('{rotatedPrefix}') button:text-is('Revoke')");

        Assert.Contains("Key revoked", await page.TextContentAsync("p.notice"), StringComparison.Ordinal);
        Assert.Null(await fixture.Keys.ValidateAsync(rotated, null));
        Assert.DoesNotContain(rotated, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator($"table.keys tr:has-text('{rotatedPrefix}') button").CountAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Users_AddedUserCanSignInAndChangedPasswordReplacesTheOld()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        await page.FillAsync("form[action='/settings/users'] input[name=username]", "carol");
        await page.FillAsync("form[action='/settings/users'] input[name=password]", "carol-first-pass");
        await EndToEndFixture.ClickAndWaitAsync(page, "form[action='/settings/users'] button");
        Assert.Contains("User 'carol' added", await page.TextContentAsync("p.notice"), StringComparison.Ordinal);

        await page.SelectOptionAsync("form[action='/settings/users/password'] select[name=username]", "carol");
        await page.FillAsync("form[action='/settings/users/password'] input[name=password]", "carol-second-pass");
        await EndToEndFixture.ClickAndWaitAsync(page, "form[action='/settings/users/password'] button");
        Assert.Contains("Password of 'carol' changed", await page.TextContentAsync("p.notice"), StringComparison.Ordinal);

        var carol = await fixture.NewPageAsync();
        await EndToEndFixture.SignInAsync(carol, "carol-first-pass", "carol");
        Assert.Contains("error=invalid", carol.Url, StringComparison.Ordinal);
        await EndToEndFixture.SignInAsync(carol, "carol-second-pass", "carol");
        Assert.Equal("Overview", await carol.TextContentAsync("h1"));
        Assert.Contains("Sign out carol", await carol.TextContentAsync("form.logout"), StringComparison.Ordinal);
        await carol.Context.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Reload_AfterCreatingAProjectOrKey_CreatesNothingMoreAndHidesTheKey()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        await page.FillAsync("form[action='/settings/projects'] input[name=name]", "reload-check");
        await EndToEndFixture.ClickAndWaitAsync(page, "form[action='/settings/projects'] button");
        Assert.EndsWith("/settings", page.Url, StringComparison.Ordinal); // redirected: the address bar holds a GET
        Assert.Contains("Project 'reload-check' created", await page.TextContentAsync("p.notice"), StringComparison.Ordinal);

        await page.ReloadAsync();
        await page.ReloadAsync();
        Assert.Single(fixture.Store.GetProjects(), p => p.Name == "reload-check");
        Assert.Equal(0, await page.Locator("p.notice").CountAsync()); // the message was for one showing

        var keys = (await fixture.Keys.ListAsync(fixture.ProjectId)).Count;
        await EndToEndFixture.ClickAndWaitAsync(page, "text=Create ingest key");
        var key = (await page.TextContentAsync("#new-key"))!.Trim();
        Assert.EndsWith("/settings", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        await page.GoBackAsync();
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal); // nor from the history (no-store)
        Assert.Equal(keys + 1, (await fixture.Keys.ListAsync(fixture.ProjectId)).Count);
        await page.Context.CloseAsync();
    }
}
