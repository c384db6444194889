using System.Net;
using System.Net.Http.Json;
using Sightline.Server.Monitoring;
using Sightline.Server.Tests.Alerts;

namespace Sightline.Server.Tests.Uptime;

/// <summary>The /uptime page and its forms on a real server: escaping, antiforgery, validation, CSP.</summary>
public sealed class UptimeDashboardTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync("--Sightline:Monitoring:Enabled=false");
        _client = await _server.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private async Task<HttpResponseMessage> PostFormAsync(string page, string action, Dictionary<string, string> fields, bool withToken = true)
    {
        var html = await _client.GetStringAsync(page);
        if (withToken) fields["__RequestVerificationToken"] = MonitoringServer.Token(html);
        fields.TryAdd("project", MonitoringServer.FormProject(html));
        return await _client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    [Fact]
    public async Task UptimePage_HostileNamesAndReasons_AreEscapedAndPageHasNoScript()
    {
        var store = _server.Service<IMonitoringStore>();
        var id = store.CreateCheck(1, new CheckDefinition("<script>alert(1)</script>", "http://127.0.0.1:9/?q=<b>", "GET", 200, 1000, 30, null, 1, true), DateTimeOffset.UtcNow.AddDays(-2));
        store.RecordCheckResult(id, new CheckResult(false, 500, 3, "body <img src=x onerror=alert(1)>", DateTimeOffset.UtcNow.AddHours(-1)));

        var response = await _client.GetAsync("/uptime");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"history\"", html, StringComparison.Ordinal);
        Assert.Contains("ongoing", html, StringComparison.Ordinal); // the open incident
        Assert.Contains("href=\"/uptime\"", html, StringComparison.Ordinal); // nav link
    }

    [Fact]
    public async Task CheckForm_InvalidThenValid_ShowsErrorsThenCreatesEditsAndDeletes()
    {
        var invalid = await PostFormAsync("/uptime/checks/new", "/uptime/checks", new() { ["name"] = "api", ["url"] = "not a url", ["method"] = "GET", ["intervalSeconds"] = "abc" });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var page = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("An absolute http:// or https:// URL is required.", page, StringComparison.Ordinal);
        Assert.Contains("Enter a whole number.", page, StringComparison.Ordinal);
        Assert.Contains("value=\"not a url\"", page, StringComparison.Ordinal); // the user's input is kept

        var created = await PostFormAsync("/uptime/checks/new", "/uptime/checks", new()
        {
            ["name"] = "api", ["url"] = "http://127.0.0.1:9/health", ["method"] = "HEAD", ["expectedStatus"] = "204", ["timeoutMs"] = "1500",
            ["intervalSeconds"] = "45", ["failureThreshold"] = "2", ["bodyContains"] = "", ["enabled"] = "true",
        });
        Assert.Equal(HttpStatusCode.SeeOther, created.StatusCode);
        var check = Assert.Single(_server.Service<IMonitoringStore>().GetChecks(1));
        Assert.Equal(new CheckDefinition("api", "http://127.0.0.1:9/health", "HEAD", 204, 1500, 45, null, 2, true), check.Definition);

        var edited = await PostFormAsync($"/uptime/checks/{check.Id}", $"/uptime/checks/{check.Id}", new()
        {
            ["name"] = "api 2", ["url"] = "http://127.0.0.1:9/health", ["method"] = "GET", ["expectedStatus"] = "200", ["timeoutMs"] = "1500",
            ["intervalSeconds"] = "45", ["failureThreshold"] = "2",
        });
        Assert.Equal(HttpStatusCode.SeeOther, edited.StatusCode);
        Assert.Equal(("api 2", false), (_server.Service<IMonitoringStore>().GetCheck(1, check.Id)!.Definition.Name, _server.Service<IMonitoringStore>().GetCheck(1, check.Id)!.Definition.Enabled));

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/uptime/checks/{check.Id}", $"/uptime/checks/{check.Id}/delete", [])).StatusCode);
        Assert.Empty(_server.Service<IMonitoringStore>().GetChecks(1));
    }

    [Fact]
    public async Task CheckForm_WithoutAntiforgeryToken_IsRejected()
    {
        var response = await PostFormAsync("/uptime/checks/new", "/uptime/checks", new() { ["name"] = "api", ["url"] = "http://127.0.0.1:9/" }, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.Service<IMonitoringStore>().GetChecks(1));
    }

    [Fact]
    public async Task UptimePage_SignedOut_RedirectsToLogin()
    {
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = _server.Address };
        var response = await anonymous.GetAsync("/uptime");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        _ = await _client.GetFromJsonAsync<object>("/api/v1/uptime/checks"); // and the signed-in client still works
    }
}
