using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Server.Hosting;

namespace Sightline.Server.Tests.Alerts;

/// <summary>A real Sightline server (Kestrel 127.0.0.1, SQLite temp file) with the monitors ticking fast.</summary>
internal sealed partial class MonitoringServer : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-password";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sightline-monitoring-server-tests", Guid.NewGuid().ToString("n"));

    public WebApplication App { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;

    public static async Task<MonitoringServer> StartAsync(params string[] extra)
    {
        var server = new MonitoringServer();
        var (app, _) = SightlineServer.Build(
        [
            "--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={server._dataDir}", $"--Sightline:Server:AdminPassword={AdminPassword}",
            "--Sightline:Monitoring:SchedulerTick=00:00:00.200", "--Sightline:Monitoring:EvaluationInterval=00:00:00.500",
            "--Sightline:Monitoring:DeliveryTick=00:00:00.200", "--Sightline:Monitoring:DeliveryRetryBase=00:00:00.200", .. extra,
        ], b => b.Logging.ClearProviders());
        await app.StartAsync();
        server.App = app;
        server.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <summary>A client signed in through the real login form.</summary>
    public async Task<HttpClient> SignedInClientAsync()
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = Address };
        var token = Token(await client.GetStringAsync("/login"));
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = AdminPassword, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public static string Token(string page) => TokenPattern().Match(page).Groups[1].Value;

    /// <summary>The project a page's create form was rendered for (its hidden <c>project</c> field), as a browser would post it.</summary>
    public static string FormProject(string page) => System.Net.WebUtility.HtmlDecode(ProjectPattern().Match(page).Groups[1].Value);

    [GeneratedRegex("<input type=\"hidden\" name=\"project\" value=\"([^\"]*)\">")]
    private static partial Regex ProjectPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_dataDir, true);
        }
        catch (IOException)
        {
        }
    }
}
