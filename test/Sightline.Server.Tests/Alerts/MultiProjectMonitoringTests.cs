using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Sightline.Protocol.Wire;
using Sightline.Server.Monitoring;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests.Alerts;

/// <summary>
/// Uptime and alerts with several projects on one real server (Kestrel, SQLite file): the monitors watch every
/// project, and the API and the dashboard work on the chosen project only, refusing ids of another one.
/// Projects and their ingest keys are made through the dashboard's settings forms, as a user makes them.
/// </summary>
public sealed partial class MultiProjectMonitoringTests
{
    [GeneratedRegex("<code id=\"new-key\">([^<]+)</code>")]
    private static partial Regex NewKeyPattern();

    /// <summary>Creates a project and an ingest key for it through the settings forms; returns the key.</summary>
    internal static async Task<string> CreateProjectWithKeyAsync(HttpClient client, string name)
    {
        Assert.Equal(HttpStatusCode.SeeOther, (await PostAsync(client, "/settings", "/settings/projects", new() { ["name"] = name })).StatusCode);
        await ChooseProjectAsync(client, name);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostAsync(client, "/settings", "/settings/keys", [])).StatusCode);
        var key = NewKeyPattern().Match(await client.GetStringAsync("/settings")).Groups[1].Value;
        Assert.NotEmpty(key);
        return key;
    }

    /// <summary>Chooses the dashboard's project with the header's scope form.</summary>
    internal static async Task ChooseProjectAsync(HttpClient client, string name)
    {
        var response = await PostAsync(client, "/", "/scope", new() { ["project"] = name, ["environment"] = "", ["range"] = "1h", ["back"] = "/" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
    }

    internal static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, Dictionary<string, string> fields)
    {
        var html = await client.GetStringAsync(page);
        fields["__RequestVerificationToken"] = MonitoringServer.Token(html);
        if (MonitoringServer.FormProject(html) is { Length: > 0 } project) fields.TryAdd("project", project); // as a browser posts a create form
        return await client.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    private static async Task SendHeartbeatAsync(Uri server, string key, string service, string instance)
    {
        var info = new ServiceInfo { Name = service, Instance = instance, Environment = "prod" };
        var batch = new IngestBatch { Service = info, Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, IntervalSeconds = 1, Service = info }] };
        using var client = new HttpClient { BaseAddress = server };
        using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(batch, WireJsonContext.Default.IngestBatch)) { Headers = { ContentType = new("application/json") } },
        };
        request.Headers.Add(WireConstants.ApiKeyHeader, key);
        Assert.True((await client.SendAsync(request)).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Monitors_TwoProjectsOneAppGoesSilent_OnlyThatProjectsIncidentAndRuleFire()
    {
        await using var server = await MonitoringServer.StartAsync("--Sightline:Monitoring:HeartbeatTick=00:00:00.200", "--Sightline:Monitoring:HeartbeatMissedIntervals=2");
        using var client = await server.SignedInClientAsync();
        var alphaKey = await CreateProjectWithKeyAsync(client, "alpha");
        var betaKey = await CreateProjectWithKeyAsync(client, "beta");
        var projects = server.Service<ISightlineStore>().GetProjects().ToDictionary(p => p.Name, p => p.Id);
        foreach (var project in new[] { "alpha", "beta" })
        {
            var rule = await client.PostAsJsonAsync($"/api/v1/alerts/rules?project={project}", new { name = project + " app down", kind = "app_down" });
            Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        }
        var monitoring = server.Service<IMonitoringStore>();

        // Both apps send heartbeats; then beta's goes silent while alpha's keeps sending.
        using var stop = new CancellationTokenSource();
        var alphaApp = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await SendHeartbeatAsync(server.Address, alphaKey, "alpha-api", "alpha-1");
                await Task.Delay(300);
            }
        });
        await SendHeartbeatAsync(server.Address, betaKey, "beta-api", "beta-1");
        try
        {
            await Until(() => monitoring.GetOpenIncidents(projects["beta"]).Any(i => i.TargetKind == HeartbeatMonitor.ServiceKind), "beta's outage");
            await Until(() => monitoring.GetRules(projects["beta"]).Single().State == AlertEvaluator.Firing, "beta's rule to fire");

            Assert.Equal(["beta-1", "beta-api", "beta-api/prod"], monitoring.GetOpenIncidents(projects["beta"]).Select(i => i.TargetKey).Order(StringComparer.Ordinal));
            Assert.Empty(monitoring.GetOpenIncidents(projects["alpha"]));
            Assert.Single(monitoring.GetInstanceHeartbeats(projects["alpha"])); // alpha was watched all along, and is up
            Assert.Equal(AlertEvaluator.Ok, monitoring.GetRules(projects["alpha"]).Single().State);

            // The API shows each project its own incidents and alert history.
            var betaIncidents = await client.GetFromJsonAsync<JsonElement>("/api/v1/uptime/incidents?project=beta");
            Assert.Contains(betaIncidents.EnumerateArray(), i => i.GetProperty("targetKey").GetString() == "beta-api");
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/v1/uptime/incidents?project=alpha")).GetArrayLength());
            var betaEvents = await client.GetFromJsonAsync<JsonElement>("/api/v1/alerts/events?project=beta");
            Assert.Equal("beta app down", betaEvents[0].GetProperty("ruleName").GetString());
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/v1/alerts/events?project=alpha")).GetArrayLength());
        }
        finally
        {
            await stop.CancelAsync();
            await alphaApp;
        }
    }

    [Fact]
    public async Task Api_IdOfAnotherProject_Is404AndChangesNothing()
    {
        await using var server = await MonitoringServer.StartAsync("--Sightline:Monitoring:Enabled=false");
        using var client = await server.SignedInClientAsync();
        await CreateProjectWithKeyAsync(client, "alpha");
        await CreateProjectWithKeyAsync(client, "beta");

        var check = await (await client.PostAsJsonAsync("/api/v1/uptime/checks?project=beta", new { name = "beta api", url = "http://127.0.0.1:9/health" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var channel = await (await client.PostAsJsonAsync("/api/v1/alerts/channels?project=beta", new { name = "beta hook", kind = "webhook", url = "http://127.0.0.1:9/hook" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var rule = await (await client.PostAsJsonAsync("/api/v1/alerts/rules?project=beta", new { name = "beta errors", kind = "error_rate", threshold = 5 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var (checkId, channelId, ruleId) = (check.GetProperty("id").GetInt64(), channel.GetProperty("id").GetInt64(), rule.GetProperty("id").GetInt64());

        foreach (var other in new[] { "?project=alpha", "" }) // alpha, and the default project
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/uptime/checks/{checkId}{other}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/v1/uptime/checks/{checkId}{other}", new { name = "taken", url = "http://127.0.0.1:9/x" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/v1/uptime/checks/{checkId}{other}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/v1/alerts/rules/{ruleId}{other}", new { name = "taken", kind = "app_down" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/v1/alerts/rules/{ruleId}{other}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync($"/api/v1/alerts/channels/{channelId}{other}", new { name = "taken", kind = "webhook", url = "http://127.0.0.1:9/evil" })).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/v1/alerts/channels/{channelId}{other}")).StatusCode);
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>($"/api/v1/uptime/checks{other}")).GetArrayLength());
            Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>($"/api/v1/alerts/rules{other}")).GetArrayLength());
            // A rule may not notify another project's channel or watch its check.
            var stolen = await client.PostAsJsonAsync($"/api/v1/alerts/rules{other}", new { name = "steal", kind = "check_down", checkId, channelIds = new[] { channelId } });
            Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        }

        Assert.Equal("beta api", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/uptime/checks/{checkId}?project=beta")).GetProperty("name").GetString());
        Assert.Equal("beta errors", (await client.GetFromJsonAsync<JsonElement>($"/api/v1/alerts/rules/{ruleId}?project=beta")).GetProperty("name").GetString());
        var stored = server.Service<IMonitoringStore>().GetChannels(server.Service<ISightlineStore>().GetProjects().Single(p => p.Name == "beta").Id).Single();
        Assert.Equal(("beta hook", "http://127.0.0.1:9/hook"), (stored.Name, stored.Url));

        var unknown = await client.GetAsync("/api/v1/uptime/checks?project=nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync("/api/v1/alerts/rules?project=nope", new { name = "x", kind = "app_down" })).StatusCode);
    }

    [Fact]
    public async Task DashboardPages_ShowTheChosenProjectOnlyAndRefuseAnotherProjectsIds()
    {
        await using var server = await MonitoringServer.StartAsync("--Sightline:Monitoring:Enabled=false");
        using var client = await server.SignedInClientAsync();
        await CreateProjectWithKeyAsync(client, "alpha");
        await CreateProjectWithKeyAsync(client, "beta");
        var ids = server.Service<ISightlineStore>().GetProjects().ToDictionary(p => p.Name, p => p.Id);
        var monitoring = server.Service<IMonitoringStore>();
        var alphaCheck = monitoring.CreateCheck(ids["alpha"], new CheckDefinition("alpha-check", "http://127.0.0.1:9/a", "GET", 200, 1000, 60, null, 3, true), DateTimeOffset.UtcNow);
        monitoring.CreateCheck(ids["beta"], new CheckDefinition("beta-check", "http://127.0.0.1:9/b", "GET", 200, 1000, 60, null, 3, true), DateTimeOffset.UtcNow);
        var alphaRule = monitoring.CreateRule(ids["alpha"], new AlertRuleDefinition("alpha-rule", "app_down", null, null, null, 0, 5, 0, 0, [], true), DateTimeOffset.UtcNow);
        monitoring.CreateRule(ids["beta"], new AlertRuleDefinition("beta-rule", "app_down", null, null, null, 0, 5, 0, 0, [], true), DateTimeOffset.UtcNow);

        await ChooseProjectAsync(client, "beta");
        var uptime = await client.GetStringAsync("/uptime");
        var alerts = await client.GetStringAsync("/alerts");
        Assert.Contains("beta-check", uptime, StringComparison.Ordinal);
        Assert.DoesNotContain("alpha-check", uptime, StringComparison.Ordinal);
        Assert.Contains("<option value=\"beta\" selected>", uptime, StringComparison.Ordinal); // the scope form says which project this is
        Assert.Contains("beta-rule", alerts, StringComparison.Ordinal);
        Assert.DoesNotContain("alpha-rule", alerts, StringComparison.Ordinal);

        // In beta's scope, alpha's check and rule cannot be opened, edited or deleted.
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/uptime/checks/{alphaCheck}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "/uptime", $"/uptime/checks/{alphaCheck}", new()
        {
            ["name"] = "hijacked", ["url"] = "http://127.0.0.1:9/evil", ["method"] = "GET", ["expectedStatus"] = "200", ["timeoutMs"] = "1000",
            ["intervalSeconds"] = "60", ["failureThreshold"] = "3", ["enabled"] = "true",
        })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "/uptime", $"/uptime/checks/{alphaCheck}/delete", [])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/alerts/rules/{alphaRule}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "/alerts", $"/alerts/rules/{alphaRule}", new() { ["name"] = "hijacked", ["kind"] = "app_down" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(client, "/alerts", $"/alerts/rules/{alphaRule}/delete", [])).StatusCode);
        Assert.Equal("alpha-check", monitoring.GetCheck(ids["alpha"], alphaCheck)!.Definition.Name);
        Assert.Equal("alpha-rule", monitoring.GetRule(ids["alpha"], alphaRule)!.Definition.Name);

        // A check created from beta's scope belongs to beta.
        Assert.Equal(HttpStatusCode.SeeOther, (await PostAsync(client, "/uptime/checks/new", "/uptime/checks", new()
        {
            ["name"] = "beta-2", ["url"] = "http://127.0.0.1:9/b2", ["method"] = "GET", ["expectedStatus"] = "200", ["timeoutMs"] = "1000",
            ["intervalSeconds"] = "60", ["failureThreshold"] = "3", ["enabled"] = "true",
        })).StatusCode);
        Assert.Equal(["beta-2", "beta-check"], monitoring.GetChecks(ids["beta"]).Select(c => c.Definition.Name).Order(StringComparer.Ordinal));
        Assert.Single(monitoring.GetChecks(ids["alpha"]));

        await ChooseProjectAsync(client, "alpha");
        Assert.Contains("alpha-check", await client.GetStringAsync("/uptime"), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/uptime/checks/{alphaCheck}")).StatusCode);
    }

    [Fact]
    public async Task CreateForms_ProjectSwitchedInAnotherTab_RefusedAndNothingCreated()
    {
        await using var server = await MonitoringServer.StartAsync("--Sightline:Monitoring:Enabled=false");
        using var client = await server.SignedInClientAsync();
        await CreateProjectWithKeyAsync(client, "alpha");
        await CreateProjectWithKeyAsync(client, "beta");
        var ids = server.Service<ISightlineStore>().GetProjects().ToDictionary(p => p.Name, p => p.Id);
        var monitoring = server.Service<IMonitoringStore>();

        // Tab 1 opens the create forms while beta is selected; tab 2 then switches the (shared) selection to alpha; tab 1 submits.
        await ChooseProjectAsync(client, "beta");
        var checkPage = await client.GetStringAsync("/uptime/checks/new");
        var alertsPage = await client.GetStringAsync("/alerts");
        Assert.Equal("beta", MonitoringServer.FormProject(checkPage));
        Assert.Equal("beta", MonitoringServer.FormProject(alertsPage));
        await ChooseProjectAsync(client, "alpha");

        async Task<HttpResponseMessage> Submit(string page, string action, Dictionary<string, string> fields)
        {
            fields["__RequestVerificationToken"] = MonitoringServer.Token(page);
            fields["project"] = MonitoringServer.FormProject(page);
            return await client.PostAsync(action, new FormUrlEncodedContent(fields));
        }
        var check = await Submit(checkPage, "/uptime/checks", new()
        {
            ["name"] = "meant-for-beta", ["url"] = "http://127.0.0.1:9/b", ["method"] = "GET", ["expectedStatus"] = "200", ["timeoutMs"] = "1000",
            ["intervalSeconds"] = "60", ["failureThreshold"] = "3", ["enabled"] = "true",
        });
        var rule = await Submit(alertsPage, "/alerts/rules", new() { ["name"] = "meant-for-beta", ["kind"] = "app_down", ["windowMinutes"] = "5", ["enabled"] = "true" });
        var channel = await Submit(alertsPage, "/alerts/channels", new() { ["name"] = "meant-for-beta", ["kind"] = "webhook", ["url"] = "http://127.0.0.1:9/hook" });

        foreach (var response in new[] { check, rule, channel })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var body = System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
            Assert.Contains("This form was opened for project 'beta', but the dashboard now shows project 'alpha'", body, StringComparison.Ordinal);
            Assert.Contains("Nothing was created.", body, StringComparison.Ordinal);
        }
        foreach (var project in new[] { "alpha", "beta" })
        {
            Assert.Empty(monitoring.GetChecks(ids[project]));
            Assert.Empty(monitoring.GetRules(ids[project]));
            Assert.Empty(monitoring.GetChannels(ids[project]));
        }

        // A create form that names no project is refused the same way; one reloaded in alpha's scope creates in alpha.
        var bare = await client.PostAsync("/alerts/channels", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = MonitoringServer.Token(alertsPage), ["name"] = "no-project", ["kind"] = "webhook", ["url"] = "http://127.0.0.1:9/hook",
        }));
        Assert.Equal(HttpStatusCode.BadRequest, bare.StatusCode);
        Assert.Empty(monitoring.GetChannels(ids["alpha"]));
        Assert.Equal(HttpStatusCode.SeeOther, (await Submit(await client.GetStringAsync("/alerts"), "/alerts/channels",
            new() { ["name"] = "alpha-hook", ["kind"] = "webhook", ["url"] = "http://127.0.0.1:9/hook" })).StatusCode);
        Assert.Equal("alpha-hook", Assert.Single(monitoring.GetChannels(ids["alpha"])).Name);
    }

    private static async Task Until(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(100);
        }
    }
}
