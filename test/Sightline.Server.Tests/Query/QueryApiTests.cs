using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.Server.Tests.Query;

public sealed class QueryApiTests : IAsyncLifetime
{
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task QueryApi_WithoutSignIn_401()
    {
        using var client = _server.Client();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/overview")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/requests")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WrongPassword_Refused()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _server.Address };
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "admin", ["password"] = "nope", ["__RequestVerificationToken"] = token }));

        Assert.Equal("/login?error=invalid", response.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/overview")).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_Refused()
    {
        var handler = new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() };
        using var client = new HttpClient(handler) { BaseAddress = _server.Address };

        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "admin", ["password"] = ServerFixture.AdminPassword }));

        Assert.Equal("/login?error=expired", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task RequestLog_FiltersAndCursorPagination()
    {
        var start = DateTimeOffset.UtcNow.AddMinutes(-10);
        var records = Enumerable.Range(0, 30).Select(i => ServerFixture.Record($"/users/{i}", i % 3 == 0 ? 500 : 200, i % 2 == 0 ? "acme" : "globex", start.AddSeconds(i))).ToList();
        await _server.PostBatchAsync(new IngestBatch { Records = records });
        using var client = await _server.SignedInClientAsync();

        var errors = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?statusClass=5&consumer=acme");
        var page1 = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?limit=12");
        var cursor = page1.GetProperty("nextCursor").GetString();
        var page2 = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests?limit=12&cursor={Uri.EscapeDataString(cursor!)}");
        var page3 = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests?limit=12&cursor={Uri.EscapeDataString(page2.GetProperty("nextCursor").GetString()!)}");
        var text = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?q=/users/2");

        Assert.Equal(records.Count(r => r.Status == 500 && r.Consumer!.Identifier == "acme"), errors.GetProperty("items").GetArrayLength());
        var seen = page1.GetProperty("items").EnumerateArray().Concat(page2.GetProperty("items").EnumerateArray()).Concat(page3.GetProperty("items").EnumerateArray())
            .Select(i => i.GetProperty("path").GetString()).ToList();
        Assert.Equal(30, seen.Distinct().Count());
        Assert.Equal("/users/29", seen[0]);
        Assert.Equal(JsonValueKind.Null, page3.GetProperty("nextCursor").ValueKind);
        Assert.Equal(11, text.GetProperty("items").GetArrayLength()); // /users/2 and /users/20..29
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/requests?cursor=garbage")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/v1/overview?from=yesterday")).StatusCode);
    }

    [Fact]
    public async Task EndToEnd_SdkAppToServer_RecordsAndMetricsQueryable()
    {
        var (app, appClient) = await _server.StartSdkAppAsync(o => o.RedactResponseBody = ["$.user.email"], a =>
            a.MapGet("/users/{id}", (int id, HttpContext c) =>
            {
                c.SetSightlineConsumer("cust-" + (id % 2), name: "Customer", group: "Tier A");
                return Results.Json(new { user = new { id, email = "secret@example.com" } });
            }));
        await using var _ = app;
        using var __ = appClient;
        for (var i = 0; i < 10; i++) await appClient.GetStringAsync($"/users/{i}");
        await app.StopAsync(); // flushes metrics and the queue on shutdown

        using var client = await _server.SignedInClientAsync();
        var overview = await client.GetFromJsonAsync<JsonElement>("/api/v1/overview");
        var log = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?route=/users/{id}");
        var first = log.GetProperty("items")[0].GetProperty("id").GetString();
        var detail = await client.GetStringAsync($"/api/v1/requests/{first}");
        var consumers = await client.GetFromJsonAsync<JsonElement>("/api/v1/consumers");
        var endpoints = await client.GetFromJsonAsync<JsonElement>("/api/v1/endpoints");

        Assert.Equal(10, overview.GetProperty("requests").GetInt64());
        Assert.Equal(10, log.GetProperty("items").GetArrayLength());
        Assert.Contains("[CLIENT_REDACTED]", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("secret@example.com", detail, StringComparison.Ordinal);
        Assert.Equal(2, consumers.GetArrayLength());
        Assert.Equal(10, consumers.EnumerateArray().Sum(c => c.GetProperty("requests").GetInt64()));
        Assert.Contains(endpoints.EnumerateArray(), e => e.GetProperty("route").GetString() == "/users/{id}" && e.GetProperty("fromInventory").GetBoolean());
    }

    [Fact]
    public async Task QueryApi_ProjectParameter_ShowsThatProjectOnlyAndUnknownIs404()
    {
        using var client = await _server.SignedInClientAsync();
        var billingKey = await Alerts.MultiProjectMonitoringTests.CreateProjectWithKeyAsync(client, "billing");
        var mine = ServerFixture.Record("/billing/1", 500, "billing-consumer");
        mine.Errors = [new ErrorInfo { Type = "BillingError", Message = "boom", Fingerprint = "billing-fp" }];
        var info = new ServiceInfo { Name = "billing", Instance = "b-1", Environment = "prod" };
        Assert.True((await _server.PostBatchAsync(new IngestBatch
        {
            Service = info, Records = [mine], Heartbeats = [new Heartbeat { Id = Guid.NewGuid(), Timestamp = DateTimeOffset.UtcNow, IntervalSeconds = 60, Service = info }],
        }, billingKey)).IsSuccessStatusCode);
        var theirs = ServerFixture.Record("/default/1");
        Assert.True((await _server.PostBatchAsync(new IngestBatch { Records = [theirs] })).IsSuccessStatusCode);

        var billing = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?project=billing");
        Assert.Equal(["/billing/1"], billing.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("path").GetString()));
        Assert.Equal(["/default/1"], (await client.GetFromJsonAsync<JsonElement>("/api/v1/requests")).GetProperty("items").EnumerateArray().Select(r => r.GetProperty("path").GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/requests/{mine.Id}?project=billing")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/requests/{mine.Id}")).StatusCode); // another project's record
        Assert.Equal("billing-fp", (await client.GetFromJsonAsync<JsonElement>("/api/v1/errors?project=billing"))[0].GetProperty("fingerprint").GetString());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/v1/errors")).GetArrayLength());
        Assert.Equal("billing-consumer", (await client.GetFromJsonAsync<JsonElement>("/api/v1/consumers?project=billing"))[0].GetProperty("identifier").GetString());
        Assert.Equal("b-1", (await client.GetFromJsonAsync<JsonElement>("/api/v1/instances?project=billing"))[0].GetProperty("instance").GetString());
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/api/v1/instances")).GetArrayLength());

        foreach (var path in new[] { "/overview", "/endpoints", "/requests", $"/requests/{mine.Id}", "/errors", "/consumers", "/security-events", "/instances" })
        {
            var response = await client.GetAsync($"/api/v1{path}?project=nope");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        }
    }
}
