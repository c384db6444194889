using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Playwright;
using Sightline.AspNetCore;
using Sightline.Samples.Orders;
using Sightline.Server.Hosting;
using Sightline.Server.Query;
using Sightline.Server.Storage;

namespace Sightline.EndToEnd.Tests;

/// <summary>
/// The whole chain, real at every step: the Sightline server on Kestrel at 127.0.0.1 with a SQLite
/// file in a temp folder, the Orders sample and the test's own app instrumented with the SDK and
/// shipping to it, traffic sent over real HTTP, and headless system Chromium driven by Playwright.
/// Shared by every browser test (one start-up for the collection).
/// </summary>
public sealed class EndToEndFixture : IAsyncLifetime
{
    public const string AdminPassword = "e2e-admin-password";

    /// <summary>Script payloads put into every captured field; none may run in the browser.</summary>
    public const string ScriptPayload = "<script>window.__xss=1</script>";
    public const string ImgPayload = "<img src=x onerror=\"window.__xss=2;alert(2)\">";
    public const string SvgPayload = "<svg onload=\"window.__xss=3\">";

    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sightline-e2e", Guid.NewGuid().ToString("n"));
    private WebApplication _orders = null!;
    private WebApplication _evil = null!;
    private IPlaywright _playwright = null!;

    public WebApplication Server { get; private set; } = null!;
    public Uri ServerAddress { get; private set; } = null!;
    public Uri OrdersAddress { get; private set; } = null!;
    public Uri EvilAddress { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public ISightlineStore Store => Server.Services.GetRequiredService<ISightlineStore>();
    public Sightline.Server.Security.IngestKeyService Keys => Server.Services.GetRequiredService<Sightline.Server.Security.IngestKeyService>();
    public long ProjectId => Server.Services.GetRequiredService<DefaultProject>().Id;

    /// <summary>Incoming requests sent to the two apps (each becomes one record and one metrics count).</summary>
    public int IncomingRequests { get; private set; }

    /// <summary>Where screenshots go: TestResults/screenshots under the test output folder (ignored by git).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        var (server, firstRun) = SightlineServer.Build(
            ["--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={_dataDir}", $"--Sightline:Server:AdminPassword={AdminPassword}"],
            b => b.Logging.ClearProviders());
        await server.StartAsync();
        Server = server;
        ServerAddress = AddressOf(server);
        var key = firstRun.IngestKey!;

        void Sdk(SightlineOptions o)
        {
            o.ApiKey = key;
            o.Endpoint = ServerAddress;
            o.FlushInterval = TimeSpan.FromMilliseconds(200);
            o.MetricsInterval = TimeSpan.FromSeconds(1);
            o.HeartbeatInterval = TimeSpan.FromSeconds(5);
        }

        _orders = OrdersApp.Build([], "http://127.0.0.1:0", o => { Sdk(o); o.Environment = "production"; });
        await _orders.StartAsync();
        OrdersAddress = AddressOf(_orders);
        _evil = TestApp.Build("http://127.0.0.1:0", Sdk);
        await _evil.StartAsync();
        EvilAddress = AddressOf(_evil);

        await SendTrafficAsync();
        await WaitForIngestAsync();

        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    private static Uri AddressOf(WebApplication app)
        => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private async Task SendTrafficAsync()
    {
        using var orders = new HttpClient { BaseAddress = OrdersAddress };
        using var evil = new HttpClient { BaseAddress = EvilAddress };
        var sent = 0;

        async Task Send(HttpClient client, HttpMethod method, string path, string? customer = null, string? json = null, (string, string)? header = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (customer is not null) request.Headers.TryAddWithoutValidation("X-Customer", customer);
            if (header is { } h) request.Headers.TryAddWithoutValidation(h.Item1, h.Item2);
            if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            sent++;
        }

        for (var i = 1; i <= 6; i++) await Send(orders, HttpMethod.Get, $"/users/{i}", customer: i % 2 == 0 ? "ent-acme" : "self-bob");
        await Send(orders, HttpMethod.Get, "/users/5000", customer: "self-bob");
        await Send(orders, HttpMethod.Get, "/users/");
        await Send(orders, HttpMethod.Post, "/orders", customer: "ent-acme",
            json: """{"customer":{"name":"Ann","email":"ann@example.com"},"items":[{"sku":"SKU-1","quantity":2,"price":9.99,"secret":"s3cr3t"}],"payment":{"method":"card","cardNumber":"4111111111111111","card_number":"4111111111111111"}}""");
        await Send(orders, HttpMethod.Post, "/orders", customer: "self-bob", json: """{"items":[]}""");
        for (var i = 0; i < 3; i++) await Send(orders, HttpMethod.Get, "/checkout/fail", customer: "ent-acme");
        await Send(orders, HttpMethod.Get, "/partner/quote", customer: "ent-acme");
        sent++; // the partner call to /users/1 is itself an incoming request of the Orders app
        await Send(orders, HttpMethod.Get, "/reports/slow?ms=250");
        await Send(orders, HttpMethod.Get, "/api/catalog");

        // Attacker-controlled text in every captured field of the test's own app.
        await Send(evil, HttpMethod.Get, "/items/" + Uri.EscapeDataString(ScriptPayload), customer: ScriptPayload);
        await Send(evil, HttpMethod.Post, "/echo", customer: ImgPayload, header: ("X-Evil", ImgPayload),
            json: "{\"comment\":\"" + ScriptPayload + "\",\"img\":\"" + ImgPayload.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"}");
        await Send(evil, HttpMethod.Get, "/boom?m=" + Uri.EscapeDataString(ImgPayload + ScriptPayload), customer: SvgPayload);
        await Send(evil, HttpMethod.Get, "/secure/data");
        await Send(evil, HttpMethod.Get, "/secure/data", header: ("X-Api-Key", "sk_live_unknownkey"));
        await Send(evil, HttpMethod.Get, "/secure/data", header: ("X-Api-Key", "<script>window.__xss=4</script>"));
        await Send(evil, HttpMethod.Get, "/secure/data", header: ("X-Api-Key", TestApp.GoodKey));
        IncomingRequests = sent;
    }

    private async Task WaitForIngestAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var records = Store.SearchRequests(ProjectId, new RequestFilter(null, null, null, null, null, null, null, null, null, null, 500)).Items.Count;
            var counted = Store.GetOverview(ProjectId, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(2)).Requests;
            var security = Store.GetSecurityEvents(ProjectId).Count;
            var instances = Store.GetInstances(ProjectId, DateTimeOffset.UtcNow).Count;
            if (records >= IncomingRequests && counted >= IncomingRequests && security >= 3 && instances >= 2) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Ingest did not complete: {records} records, {counted} counted in metrics, {security} security events of {IncomingRequests} requests, {instances} of 2 SDK instances.");
            await Task.Delay(200);
        }
    }

    /// <summary>A new browser context (own cookies) and page, signed in through the real form.</summary>
    public async Task<IPage> SignedInPageAsync(int width = 1366, int height = 900)
    {
        var page = await NewPageAsync(width, height);
        await SignInAsync(page);
        return page;
    }

    public async Task<IPage> NewPageAsync(int width = 1366, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height }, BaseURL = ServerAddress.ToString() });
        return await context.NewPageAsync();
    }

    public static async Task SignInAsync(IPage page, string password = AdminPassword, string user = "admin")
    {
        await page.GotoAsync("/login");
        await page.FillAsync("input[name=username]", user);
        await page.FillAsync("input[name=password]", password);
        await EndToEndFixture.ClickAndWaitAsync(page, "form.login button[type=submit]");
    }

    /// <summary>Clicks and waits until the page it leads to (after any redirects) has loaded.</summary>
    public static async Task ClickAndWaitAsync(IPage page, string selector)
    {
        var loaded = page.WaitForResponseAsync(r => r.Request.IsNavigationRequest && r.Frame == page.MainFrame && r.Status is < 300 or >= 400);
        await page.ClickAsync(selector);
        var response = await loaded;
        try
        {
            await page.WaitForLoadStateAsync(LoadState.Load);
        }
        catch (TimeoutException e)
        {
            await ScreenshotAsync(page, "timeout");
            throw new TimeoutException($"{response.Status} {response.Url} {page.Url}", e);
        }
    }

    public static async Task ScreenshotAsync(IPage page, string name)
        => await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, name + ".png"), FullPage = true });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        foreach (var app in new[] { _evil, _orders, Server })
        {
            if (app is null) continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDir, true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<EndToEndFixture>
{
    public const string Name = "end-to-end";
}
