using System.Net;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Tests.Dashboard;

public sealed class DashboardTests : IAsyncLifetime
{
    private const string Payload = "<script>window.__xss=1</script>";
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Pages_RequireSignIn()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false };
        using var client = new HttpClient(handler) { BaseAddress = _server.Address };

        var response = await client.GetAsync("/requests");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_CapturedValuesWithScript_AreEscapedAndCspIsStrict()
    {
        var record = ServerFixture.Record("/x/" + Payload, 500, consumer: Payload);
        record.RequestHeaders = new() { ["X-Evil"] = Payload };
        record.ResponseBody = new CapturedBody { ContentType = "application/json", Content = "{\"msg\":\"" + Payload.Replace("/", "\\/", StringComparison.Ordinal) + "\"}" };
        record.Errors = [new ErrorInfo { Type = "Evil" + Payload, Message = Payload, Fingerprint = "f1" }];
        await _server.PostBatchAsync(new IngestBatch { Records = [record] });
        using var client = await _server.SignedInClientAsync();

        foreach (var path in new[] { "/requests", $"/requests/{record.Id}", "/errors", "/consumers" })
        {
            var response = await client.GetAsync(path);
            var html = await response.Content.ReadAsStringAsync();

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.StartsWith("default-src 'none'", csp, StringComparison.Ordinal); // no script source is allowed at all
            Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RequestPage_ShowsRedactedFieldAndErrorStack()
    {
        var record = ServerFixture.Record("/users/1");
        record.ResponseBody = new CapturedBody { ContentType = "application/json", Content = "{\"user\":{\"email\":\"[CLIENT_REDACTED]\"}}" };
        record.Errors = [new ErrorInfo { Type = "System.TimeoutException", Message = "slow", StackTrace = "   at Orders.Checkout()", Handled = true, Fingerprint = "f2" }];
        record.Outgoing = [new RequestRecord { Id = Guid.NewGuid(), Direction = "outgoing", Method = "GET", Url = "https://partner.example/quote", Status = 200, Timestamp = record.Timestamp.AddMilliseconds(3), DurationNs = 2_000_000 }];
        await _server.PostBatchAsync(new IngestBatch { Records = [record] });
        using var client = await _server.SignedInClientAsync();

        var html = await client.GetStringAsync($"/requests/{record.Id}");

        Assert.Contains("[CLIENT_REDACTED]", html, StringComparison.Ordinal);
        Assert.Contains("at Orders.Checkout()", html, StringComparison.Ordinal);
        Assert.Contains("https://partner.example/quote", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = await _server.SignedInClientAsync();
        var page = await client.GetStringAsync("/");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        await client.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/overview")).StatusCode);
    }

    [Fact]
    public async Task RequestLog_UntouchedFilterFormWithEmptyFields_FiltersOnTheFilledOnes()
    {
        await _server.PostBatchAsync(new IngestBatch { Records = [ServerFixture.Record("/users/1", 200), ServerFixture.Record("/users/2", 503)] });
        using var client = await _server.SignedInClientAsync();

        // What a browser sends for the filter form: every field, empty ones as "".
        var response = await client.GetAsync("/requests?q=&route=&method=&consumer=&statusClass=5&minDurationMs=");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("/users/2", html, StringComparison.Ordinal);
        Assert.DoesNotContain("/users/1<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentChosen_RequestsConsumersErrorsAndSecurityPagesShowOnlyThatEnvironment()
    {
        RequestRecord Failing(string path, string consumer, string type)
        {
            var r = ServerFixture.Record(path, 500, consumer);
            r.Errors = [new ErrorInfo { Type = type, Message = "boom", Fingerprint = type }];
            return r;
        }
        MetricsSnapshot Traffic(string consumer) => new()
        {
            Id = Guid.NewGuid(), PeriodStart = DateTimeOffset.UtcNow.AddSeconds(-10), PeriodEnd = DateTimeOffset.UtcNow,
            Series = [new MetricSeries { RouteTemplate = "/users/{id}", Method = "GET", Status = 500, Consumer = consumer, Count = 1, ErrorCount = 1,
                Duration = new Histogram { Counts = [1], Sum = 5, Max = 5 }, ResponseSize = new Histogram { Counts = [1], Sum = 100, Max = 100 } }],
        };
        foreach (var (environment, name) in new[] { ("prod", "prodonly"), ("staging", "stagingonly") })
        {
            var service = new ServiceInfo { Name = "orders", Instance = name + "-1", Environment = environment };
            Assert.True((await _server.PostBatchAsync(new IngestBatch
            {
                Service = service, Records = [Failing("/path-" + name, "consumer-" + name, "Error" + name)], Metrics = [Traffic("consumer-" + name)],
                SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow.AddSeconds(-5), Reason = "revoked", KeyPrefix = "sk_" + name, ClientIp = "10.0.0.9" }],
                Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, IntervalSeconds = 60, Service = service }],
            })).IsSuccessStatusCode);
        }
        using var client = await _server.SignedInClientAsync();
        var token = System.Text.RegularExpressions.Regex.Match(await client.GetStringAsync("/"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        await client.PostAsync("/scope", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["project"] = "default", ["environment"] = "staging", ["range"] = "1h", ["back"] = "/",
        }));

        // A refused attempt stored before security events carried an environment (none): shown only under all environments.
        await _server.PostBatchAsync(new IngestBatch { SecurityEvents = [new SecurityEvent { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow.AddSeconds(-5), Reason = "unknown", KeyPrefix = "sk_noenv" }] });

        foreach (var path in new[] { "/requests", "/consumers", "/errors", "/security" })
        {
            var html = await client.GetStringAsync(path);
            Assert.Contains("stagingonly", html, StringComparison.Ordinal);
            Assert.DoesNotContain("prodonly", html, StringComparison.Ordinal);
            Assert.DoesNotContain("not applied here", html, StringComparison.Ordinal);
        }
        var security = await client.GetStringAsync("/security");
        Assert.DoesNotContain("sk_noenv", security, StringComparison.Ordinal);
        Assert.Contains("appear only under all environments", security, StringComparison.Ordinal);

        await client.PostAsync("/scope", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["project"] = "default", ["environment"] = "", ["range"] = "1h", ["back"] = "/",
        }));
        var all = await client.GetStringAsync("/security");
        foreach (var prefix in new[] { "sk_prodonly", "sk_stagingonly", "sk_noenv" }) Assert.Contains(prefix, all, StringComparison.Ordinal);
    }
}
