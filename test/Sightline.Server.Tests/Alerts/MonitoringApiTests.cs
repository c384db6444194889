using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Sightline.Server.Monitoring;
using Sightline.Server.Tests.Uptime;

namespace Sightline.Server.Tests.Alerts;

/// <summary>The uptime/alerts JSON API and the whole loop (check → incident → rule → webhook) on a real server.</summary>
public sealed class MonitoringApiTests : IAsyncLifetime
{
    private MonitoringServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _server = await MonitoringServer.StartAsync();
        _client = await _server.SignedInClientAsync();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Api_WithoutSignIn_Is401()
    {
        using var anonymous = new HttpClient { BaseAddress = _server.Address };
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/uptime/checks")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/alerts/rules", new { name = "x" })).StatusCode);
    }

    [Fact]
    public async Task Checks_InvalidInput_ValidationProblemNamesEachField()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/uptime/checks", new { name = "", url = "ftp://example.com", method = "FETCH", intervalSeconds = 1, failureThreshold = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "name", "url", "method", "intervalSeconds", "failureThreshold" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var malformed = await _client.PostAsync("/api/v1/uptime/checks", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
    }

    [Fact]
    public async Task Checks_CreateReadUpdateDelete()
    {
        var created = await _client.PostAsJsonAsync("/api/v1/uptime/checks", new { name = "api", url = "http://127.0.0.1:9/health", intervalSeconds = 30 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var check = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = check.GetProperty("id").GetInt64();
        Assert.Equal(("GET", 200, 3, true), (check.GetProperty("method").GetString(), check.GetProperty("expectedStatus").GetInt32(),
            check.GetProperty("failureThreshold").GetInt32(), check.GetProperty("enabled").GetBoolean()));

        var updated = await _client.PutAsJsonAsync($"/api/v1/uptime/checks/{id}", new { name = "api v2", url = "https://127.0.0.1:9/ready", method = "head", expectedStatus = 204, enabled = false });
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var read = await _client.GetFromJsonAsync<JsonElement>($"/api/v1/uptime/checks/{id}");
        Assert.Equal(("api v2", "HEAD", 204, false), (read.GetProperty("name").GetString(), read.GetProperty("method").GetString(),
            read.GetProperty("expectedStatus").GetInt32(), read.GetProperty("enabled").GetBoolean()));

        Assert.Equal(HttpStatusCode.NoContent, (await _client.DeleteAsync($"/api/v1/uptime/checks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync($"/api/v1/uptime/checks/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PutAsJsonAsync($"/api/v1/uptime/checks/{id}", new { name = "x", url = "http://127.0.0.1:9/" })).StatusCode);
    }

    [Fact]
    public async Task Channels_SecretNeverReturned_RulesValidateChannelsAndKinds()
    {
        var hook = await _client.PostAsJsonAsync("/api/v1/alerts/channels", new { name = "hook", kind = "webhook", url = "http://127.0.0.1:9/hook", secret = "s3cr3t-s3cr3t-s3cr3t" });
        Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        var text = await hook.Content.ReadAsStringAsync();
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
        var channelId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        Assert.True(JsonDocument.Parse(text).RootElement.GetProperty("signed").GetBoolean());
        Assert.DoesNotContain("s3cr3t", await _client.GetStringAsync("/api/v1/alerts/channels"), StringComparison.Ordinal);
        // At rest the secret is encrypted, not stored as sent.
        Assert.DoesNotContain("s3cr3t", _server.Service<IMonitoringStore>().GetChannel(1, channelId)!.ProtectedSecret, StringComparison.Ordinal);

        var badChannel = await _client.PostAsJsonAsync("/api/v1/alerts/channels", new { name = "mail", kind = "email", emailTo = "not an address" });
        Assert.True((await badChannel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("emailTo", out _));

        var badRule = await _client.PostAsJsonAsync("/api/v1/alerts/rules", new { name = "r", kind = "error_rate", threshold = 150, channelIds = new[] { 999 }, endpoint = "users" });
        Assert.Equal(HttpStatusCode.BadRequest, badRule.StatusCode);
        var errors = (await badRule.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        foreach (var field in new[] { "threshold", "channelIds", "endpoint" }) Assert.True(errors.TryGetProperty(field, out _), field);

        var rule = await _client.PostAsJsonAsync("/api/v1/alerts/rules", new { name = "errors", kind = "error_rate", threshold = 5, minRequests = 20, endpoint = "get /users/{id}", channelIds = new[] { channelId } });
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        var body = await rule.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("ok", "get /users/{id}"), (body.GetProperty("state").GetString(), body.GetProperty("endpoint").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, (await _client.DeleteAsync($"/api/v1/alerts/channels/{channelId}")).StatusCode); // still used by the rule
    }

    [Fact]
    public async Task EndToEnd_TargetGoesDown_IncidentRuleFiresWebhookDeliveredThenResolved()
    {
        await using var target = await TargetApp.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 1);
        var channel = await (await _client.PostAsJsonAsync("/api/v1/alerts/channels", new { name = "hook", kind = "webhook", url = receiver.Url.ToString(), secret = "0123456789abcdef-secret" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var check = await (await _client.PostAsJsonAsync("/api/v1/uptime/checks", new { name = "target", url = target.Url.ToString(), intervalSeconds = 5, timeoutMs = 5000, failureThreshold = 1 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var rule = await _client.PostAsJsonAsync("/api/v1/alerts/rules", new { name = "target down", kind = "check_down", checkId = check.GetProperty("id").GetInt64(), channelIds = new[] { channel.GetProperty("id").GetInt64() } });
        Assert.Equal(HttpStatusCode.Created, rule.StatusCode);
        await Until(async () => (await _client.GetFromJsonAsync<JsonElement>("/api/v1/uptime/checks"))[0].GetProperty("state").GetString() == "up", "the first check");

        target.Status = 503;
        await Until(() => Task.FromResult(receiver.Requests.Any(r => r.AnsweredStatus == 200)), "the firing notification", 30);
        var (body, headers, _) = receiver.Requests.First(r => r.AnsweredStatus == 200);
        Assert.True(WebhookSignature.Verify("0123456789abcdef-secret", headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], body));
        Assert.Equal("alert.firing", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        var incidents = await _client.GetFromJsonAsync<JsonElement>("/api/v1/uptime/incidents");
        Assert.Equal("Expected status 200, got 503.", incidents[0].GetProperty("reason").GetString());

        target.Status = 200;
        await Until(() => Task.FromResult(receiver.Requests.Any(r => r.AnsweredStatus == 200 && JsonDocument.Parse(r.Body).RootElement.GetProperty("type").GetString() == "alert.resolved")),
            "the resolved notification", 30);
        var events = await _client.GetFromJsonAsync<JsonElement>("/api/v1/alerts/events");
        Assert.Equal(["resolved", "firing"], events.EnumerateArray().Select(e => e.GetProperty("kind").GetString()!).ToArray());
        var deliveries = await _client.GetFromJsonAsync<JsonElement>("/api/v1/alerts/deliveries");
        Assert.All(deliveries.EnumerateArray(), d => Assert.Equal("delivered", d.GetProperty("status").GetString()));
        Assert.Contains(deliveries.EnumerateArray(), d => d.GetProperty("attempts").GetInt32() == 2); // the first attempt got a 500
    }

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Timed out waiting for {what}.");
            await Task.Delay(200);
        }
    }
}
