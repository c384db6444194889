using System.Net;
using Sightline.Server.Monitoring;

namespace Sightline.Server.Tests.Alerts;

/// <summary>The /alerts page and its forms on a real server.</summary>
public sealed class AlertDashboardTests : IAsyncLifetime
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

    private async Task<HttpResponseMessage> PostFormAsync(string action, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await _client.GetStringAsync("/alerts");
        return await _client.PostAsync(action, new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", MonitoringServer.Token(page)))
            .Append(new("project", MonitoringServer.FormProject(page)))));
    }

    [Fact]
    public async Task ChannelAndRuleForms_CreateEditAndShowStateHistoryAndFailedDeliveries()
    {
        var store = _server.Service<IMonitoringStore>();
        var badChannel = await PostFormAsync("/alerts/channels", [new("name", "hook"), new("kind", "webhook"), new("url", "javascript:alert(1)"), new("secret", "short")]);
        Assert.Equal(HttpStatusCode.BadRequest, badChannel.StatusCode);
        var badPage = await badChannel.Content.ReadAsStringAsync();
        Assert.Contains("An absolute http:// or https:// URL is required.", badPage, StringComparison.Ordinal);
        Assert.DoesNotContain("value=\"short\"", badPage, StringComparison.Ordinal); // the secret is never echoed

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync("/alerts/channels",
            [new("name", "ops <hook>"), new("kind", "webhook"), new("url", "http://127.0.0.1:9/hook"), new("secret", "0123456789abcdef0123")])).StatusCode);
        var channel = Assert.Single(store.GetChannels(1));
        Assert.True(channel.HasSecret);

        var badRule = await PostFormAsync("/alerts/rules", [new("name", "slow"), new("kind", "latency_p95"), new("threshold", "fast"), new("windowMinutes", "5")]);
        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        Assert.Contains("Enter a number.", await badRule.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync("/alerts/rules",
        [
            new("name", "slow reports"), new("kind", "latency_p95"), new("endpoint", "GET /reports"), new("threshold", "750"), new("windowMinutes", "10"),
            new("minRequests", "5"), new("renotifyMinutes", "30"), new("channelIds", channel.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("enabled", "true"),
        ])).StatusCode);
        var rule = Assert.Single(store.GetRules(1));
        Assert.Equal(new AlertRuleDefinition("slow reports", "latency_p95", null, "GET /reports", null, 750, 10, 5, 30, [channel.Id], true) with { ChannelIds = rule.Definition.ChannelIds },
            rule.Definition);
        Assert.Equal([channel.Id], rule.Definition.ChannelIds);

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/rules/{rule.Id}",
            [new("name", "slow reports"), new("kind", "latency_p99"), new("threshold", "900"), new("windowMinutes", "10"), new("minRequests", "5"), new("renotifyMinutes", "0"),
             new("channelIds", channel.Id.ToString(System.Globalization.CultureInfo.InvariantCulture))])).StatusCode);
        Assert.Equal(("latency_p99", 900.0, false), (store.GetRule(1, rule.Id)!.Definition.Kind, store.GetRule(1, rule.Id)!.Definition.Threshold, store.GetRule(1, rule.Id)!.Definition.Enabled));

        var eventId = store.AddEvent(new AlertEvent(0, 1, rule.Id, "slow reports", "latency_p99", "firing", "Latency p99 <1200> ms", 1200, 900, null, "GET /reports", DateTimeOffset.UtcNow), [channel.Id]);
        var claimed = Assert.Single(store.ClaimDueDeliveries(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(1), 10));
        store.CompleteDelivery(claimed.Id, "failed", "The receiver answered HTTP 502 Bad Gateway.", null, DateTimeOffset.UtcNow);

        var page = await _client.GetStringAsync("/alerts");
        Assert.Contains("ops &lt;hook&gt;", page, StringComparison.Ordinal);
        Assert.Contains("Latency p99 &lt;1200&gt; ms", page, StringComparison.Ordinal);
        Assert.Contains("The receiver answered HTTP 502 Bad Gateway.", page, StringComparison.Ordinal);
        Assert.Contains("HMAC-SHA256", page, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", page, StringComparison.OrdinalIgnoreCase);
        Assert.True(eventId > 0);

        var inUse = await PostFormAsync($"/alerts/channels/{channel.Id}/delete", []);
        Assert.Equal(HttpStatusCode.BadRequest, inUse.StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/rules/{rule.Id}/delete", [])).StatusCode);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/channels/{channel.Id}/delete", [])).StatusCode);
        Assert.Empty(store.GetChannels(1));
    }

    [Fact]
    public async Task ChannelEditForm_KeepsUrlAndSecretUnlessReplacedOrRemoved()
    {
        var store = _server.Service<IMonitoringStore>();
        var id = store.CreateChannel(1, new AlertChannelDefinition("slack", "slack", "https://hooks.slack.test/services/T000/B000/XXXXSECRET", null, null), null, DateTimeOffset.UtcNow);
        var edit = await _client.GetStringAsync($"/alerts/channels/{id}");
        Assert.DoesNotContain("XXXXSECRET", edit, StringComparison.Ordinal); // the credential URL never goes to the browser
        Assert.Contains("hooks.slack.test", edit, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/channels/{id}", [new("name", "team slack"), new("kind", "slack"), new("url", "")])).StatusCode);
        Assert.Equal(("team slack", "https://hooks.slack.test/services/T000/B000/XXXXSECRET"), (store.GetChannel(1, id)!.Name, store.GetChannel(1, id)!.Url));

        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/channels/{id}",
            [new("name", "hook"), new("kind", "webhook"), new("url", "http://127.0.0.1:9/new"), new("secret", "0123456789abcdef!!")])).StatusCode);
        Assert.True(store.GetChannel(1, id)!.HasSecret);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/channels/{id}", [new("name", "hook"), new("kind", "webhook"), new("url", "")])).StatusCode);
        Assert.True(store.GetChannel(1, id)!.HasSecret); // empty secret keeps it
        Assert.Equal("http://127.0.0.1:9/new", store.GetChannel(1, id)!.Url);
        Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync($"/alerts/channels/{id}", [new("name", "hook"), new("kind", "webhook"), new("removeSecret", "true")])).StatusCode);
        Assert.False(store.GetChannel(1, id)!.HasSecret);
    }

    [Fact]
    public async Task RuleForm_WithoutAntiforgeryToken_IsRejected()
    {
        var response = await _client.PostAsync("/alerts/rules", new FormUrlEncodedContent([new("name", "x"), new("kind", "app_down")]));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_server.Service<IMonitoringStore>().GetRules(1));
    }
}
