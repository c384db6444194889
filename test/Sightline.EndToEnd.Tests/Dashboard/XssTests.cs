using Microsoft.Playwright;
using Sightline.Server.Query;

namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>
/// Script payloads in paths, headers, bodies, consumer names, error messages and key prefixes
/// reach the browser as text: none executes, and the page's CSP refuses inline script.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class XssTests(EndToEndFixture fixture)
{
    [Fact]
    public async Task Pages_WithScriptPayloadsInEveryField_RunNoScript()
    {
        var page = await fixture.SignedInPageAsync();
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        var evil = fixture.Store.SearchRequests(fixture.ProjectId, new RequestFilter(null, null, null, null, null, null, null, null, null, null, 500)).Items
            .Where(r => r.Path.StartsWith("/items/", StringComparison.Ordinal) || r.Path is "/echo" or "/boom").ToList();
        Assert.Equal(3, evil.Count);
        var paths = new List<string> { "/", "/endpoints", "/requests", "/errors", "/consumers", "/security" };
        paths.AddRange(evil.Select(r => "/requests/" + r.Id));

        foreach (var path in paths)
        {
            await page.GotoAsync(path);
            await page.WaitForLoadStateAsync(LoadState.Load);

            Assert.Null(await page.EvaluateAsync<int?>("() => window.__xss ?? null"));
            Assert.Equal(0, await page.Locator("main script, main img, main svg[onload], main [onerror]").CountAsync());
        }
        Assert.Empty(dialogs);

        // The payloads are on the pages as text.
        await page.GotoAsync("/requests/" + evil.Single(r => r.Path == "/echo").Id);
        var text = await page.InnerTextAsync("main");
        Assert.Contains(EndToEndFixture.ScriptPayload, text, StringComparison.Ordinal);
        Assert.Contains(EndToEndFixture.ImgPayload, text, StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, "xss-request");
        await page.GotoAsync("/consumers");
        Assert.Contains(EndToEndFixture.SvgPayload, await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await EndToEndFixture.ScreenshotAsync(page, "xss-consumers");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Csp_BlocksAnInlineScriptInsertedIntoThePage()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/requests");

        // A script element added to the document is subject to the page's CSP (unlike Playwright's own evaluation).
        var violation = await page.EvaluateAsync<string?>("""
            () => new Promise(resolve => {
                document.addEventListener('securitypolicyviolation', e => resolve(e.violatedDirective), { once: true });
                const s = document.createElement('script');
                s.textContent = 'window.__csp = 1';
                document.body.appendChild(s);
                setTimeout(() => resolve(null), 2000);
            })
            """);

        Assert.NotNull(violation);
        Assert.StartsWith("script-src", violation, StringComparison.Ordinal);
        Assert.Null(await page.EvaluateAsync<int?>("() => window.__csp ?? null"));
        await page.Context.CloseAsync();
    }
}
