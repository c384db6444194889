using Microsoft.Extensions.DependencyInjection;

namespace Sightline.EndToEnd.Tests.Dashboard;

/// <summary>The project / environment / range form at the top of each page, used in the browser.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ScopeTests(EndToEndFixture fixture)
{
    private static async Task ApplyAsync(Microsoft.Playwright.IPage page, string? project = null, string? environment = null, string? range = null)
    {
        if (project is not null) await page.SelectOptionAsync("form.scope select[name=project]", project);
        if (environment is not null) await page.SelectOptionAsync("form.scope select[name=environment]", environment);
        if (range is not null) await page.SelectOptionAsync("form.scope select[name=range]", range);
        await EndToEndFixture.ClickAndWaitAsync(page, "form.scope button");
    }

    [Fact]
    public async Task Environment_NarrowsOverviewToThatEnvironmentsTraffic()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/");
        var all = await page.Locator(".card strong").First.InnerTextAsync();

        await ApplyAsync(page, environment: "staging");
        var staging = await page.Locator(".card strong").First.InnerTextAsync();
        await page.GotoAsync("/endpoints");
        var routes = await page.Locator("table.endpoints tbody tr").AllInnerTextsAsync();

        Assert.Equal(fixture.IncomingRequests.ToString(System.Globalization.CultureInfo.InvariantCulture), all);
        Assert.Equal("7", staging); // the test app's requests: /items, /echo, /boom and four /secure/data
        Assert.Equal("staging", await page.InputValueAsync("form.scope select[name=environment]"));
        Assert.Contains(routes, r => r.Contains("/echo", StringComparison.Ordinal) && r.Contains("\t1\t", StringComparison.Ordinal));
        Assert.Contains(routes, r => r.Contains("/checkout/fail", StringComparison.Ordinal) && r.Contains("\t0\t", StringComparison.Ordinal));
        await EndToEndFixture.ScreenshotAsync(page, "endpoints-staging");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Environment_NarrowsSecurityPageToTheRefusalsReportedThere()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/security");
        await ApplyAsync(page, environment: "staging"); // the test app that refuses keys reports as staging
        var staging = await page.InnerTextAsync("main");
        await ApplyAsync(page, environment: "production");
        var production = await page.InnerTextAsync("main");
        var label = await page.InnerTextAsync("form.scope");
        await ApplyAsync(page, environment: "");

        Assert.Contains("Refused attempts\n3", staging, StringComparison.Ordinal);
        Assert.Contains("Refused attempts\n0", production, StringComparison.Ordinal);
        Assert.Contains("No refused attempts in this range.", production, StringComparison.Ordinal);
        Assert.DoesNotContain("not applied here", label, StringComparison.Ordinal);
        Assert.Contains("Refused attempts\n3", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task UptimeCreateForm_ProjectSwitchedInAnotherTab_RefusedThenCreatedAfterReload()
    {
        var first = await fixture.SignedInPageAsync();
        var name = "tabs" + Guid.NewGuid().ToString("n")[..8];
        await first.GotoAsync("/settings");
        await first.FillAsync("form[action='/settings/projects'] input[name=name]", name);
        await EndToEndFixture.ClickAndWaitAsync(first, "form[action='/settings/projects'] button");
        await ApplyAsync(first, project: name);
        async Task FillCheckAsync()
        {
            await first.GotoAsync("/uptime/checks/new");
            await first.FillAsync("form.login input[name=name]", "meant-for-" + name);
            await first.FillAsync("form.login input[name=url]", "http://127.0.0.1:9/tabs");
        }
        await FillCheckAsync();

        var second = await first.Context.NewPageAsync(); // another tab: same cookies, so the same project selection
        await second.GotoAsync("/uptime");
        var defaultProject = fixture.Server.Services.GetRequiredService<Sightline.Server.Hosting.DefaultProject>().Name;
        await ApplyAsync(second, project: defaultProject);
        await EndToEndFixture.ClickAndWaitAsync(first, "form.login button[type=submit]");
        var refused = await first.InnerTextAsync("main");
        await second.GotoAsync("/uptime");
        var defaultUptime = await second.InnerTextAsync("main");

        Assert.Contains($"This form was opened for project '{name}', but the dashboard now shows project '{defaultProject}'", refused, StringComparison.Ordinal);
        Assert.Contains("Nothing was created.", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("meant-for-", defaultUptime, StringComparison.Ordinal);

        await ApplyAsync(second, project: name);
        await FillCheckAsync(); // reloaded in the project now selected: created there
        await EndToEndFixture.ClickAndWaitAsync(first, "form.login button[type=submit]");
        Assert.EndsWith("/uptime", first.Url, StringComparison.Ordinal);
        Assert.Contains("meant-for-" + name, await first.InnerTextAsync("main"), StringComparison.Ordinal);
        await first.Context.CloseAsync();
    }

    [Fact]
    public async Task Project_NewProjectHasItsOwnEmptyDataAndKeys()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GotoAsync("/settings");
        await page.FillAsync("form[action='/settings/projects'] input[name=name]", "billing");
        await EndToEndFixture.ClickAndWaitAsync(page, "form[action='/settings/projects'] button");

        await ApplyAsync(page, project: "billing", range: "24h");
        Assert.Contains("Ingest keys of 'billing'", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("table.keys tbody tr").CountAsync());
        await EndToEndFixture.ClickAndWaitAsync(page, "text=Create ingest key");
        var key = (await page.TextContentAsync("#new-key"))!.Trim();
        var billing = fixture.Store.GetProjects().Single(p => p.Name == "billing").Id;
        Assert.Equal(billing, await fixture.Keys.ValidateAsync(key, null));

        await page.GotoAsync("/");
        Assert.Equal("0", await page.Locator(".card strong").First.InnerTextAsync());
        Assert.Equal("24h", await page.InputValueAsync("form.scope select[name=range]"));
        await page.GotoAsync("/requests");
        Assert.Equal(0, await page.Locator("table.log tbody tr").CountAsync());
        await page.Context.CloseAsync();
    }
}
