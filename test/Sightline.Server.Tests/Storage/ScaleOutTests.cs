using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;

namespace Sightline.Server.Tests.Storage;

/// <summary>Two Sightline servers on real Kestrel (127.0.0.1) sharing one PostgreSQL database, as behind a load balancer.</summary>
[RequiresPostgres]
public sealed class ScaleOutTests : IAsyncLifetime
{
    private const string Password = "scale-out-password";
    private readonly List<string> _directories = [];
    private PostgresTestDatabase? _database;
    private WebApplication _a = null!, _b = null!;
    private Uri _addressA = null!, _addressB = null!;
    private string _ingestKey = null!;

    public async Task InitializeAsync()
    {
        if (PostgresTestDatabase.SkipReason is not null) return;
        _database = PostgresTestDatabase.Create();
        // Both start at once: migrations, the default project and its key are created exactly once.
        var started = await Task.WhenAll(Task.Run(StartServerAsync), Task.Run(StartServerAsync));
        (_a, _addressA) = (started[0].App, started[0].Address);
        (_b, _addressB) = (started[1].App, started[1].Address);
        var keys = started.Select(s => s.FirstRun.IngestKey).Where(k => k is not null).ToList();
        _ingestKey = Assert.Single(keys)!;
    }

    private async Task<(WebApplication App, Uri Address, SightlineServer.FirstRun FirstRun)> StartServerAsync()
    {
        var directory = Path.Combine(Path.GetTempPath(), "sightline-scaleout-tests", Guid.NewGuid().ToString("n"));
        lock (_directories) _directories.Add(directory);
        var (app, firstRun) = SightlineServer.Build(
        [
            "--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={directory}", $"--Sightline:Server:AdminPassword={Password}",
            "--Sightline:Server:Storage=postgres", $"--Sightline:Server:ConnectionString={_database!.ConnectionString}",
        ], b => b.Logging.ClearProviders());
        await app.StartAsync();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return (app, address, firstRun);
    }

    public async Task DisposeAsync()
    {
        if (_database is null) return;
        foreach (var app in new[] { _a, _b })
        {
            if (app is null) continue;
            await app.StopAsync();
            await app.DisposeAsync();
        }
        _database.Dispose();
        foreach (var directory in _directories)
            if (Directory.Exists(directory)) Directory.Delete(directory, true);
    }

    private async Task<HttpStatusCode> PostAsync(Uri server, IngestBatch batch)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, true))
            JsonSerializer.Serialize(gzip, batch, WireJsonContext.Default.IngestBatch);
        using var client = new HttpClient { BaseAddress = server };
        var content = new ByteArrayContent(buffer.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath) { Content = content };
        request.Headers.Add(WireConstants.ApiKeyHeader, _ingestKey);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(Uri server)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = server };
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = "admin", ["password"] = Password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return (client, cookies);
    }

    private static IngestBatch Batch(DateTimeOffset at, int records, string tag)
    {
        var counts = new long[HistogramBuckets.LatencyMs.Length + 1];
        counts[5] = records;
        return new IngestBatch
        {
            Service = new ServiceInfo { Name = "orders", Instance = "i-" + tag, Environment = "prod" },
            Records = Enumerable.Range(0, records).Select(i => new RequestRecord
            {
                Id = Guid.NewGuid(), Timestamp = at.AddMilliseconds(i), Method = "GET", RouteTemplate = "/orders/{id}", Path = $"/orders/{tag}-{i}",
                Status = i % 10 == 0 ? 500 : 200, DurationNs = 4_000_000, Consumer = new ConsumerInfo { Identifier = "c" + (i % 4) },
                Errors = i % 10 == 0 ? [new ErrorInfo { Type = "TimeoutException", Message = "slow db", Fingerprint = "fp-timeout" }] : null,
            }).ToList(),
            Metrics = [new MetricsSnapshot { Id = Guid.NewGuid(), PeriodStart = at, PeriodEnd = at.AddSeconds(10),
                Series = [new MetricSeries { RouteTemplate = "/orders/{id}", Method = "GET", Status = 200, Count = records, Duration = new Histogram { Counts = counts, Sum = records * 5, Max = 5 } }] }],
        };
    }

    [StoreFact]
    public async Task IngestThroughOne_QueryThroughTheOther()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-2);
        var batch = Batch(at, 20, "one");

        Assert.Equal(HttpStatusCode.OK, await PostAsync(_addressA, batch));

        var (client, _) = await SignInAsync(_addressB);
        using (client)
        {
            var log = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?limit=100");
            var detail = await client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{batch.Records[3].Id}");
            var overview = await client.GetFromJsonAsync<JsonElement>("/api/v1/overview");
            var errors = await client.GetFromJsonAsync<JsonElement>("/api/v1/errors");

            Assert.Equal(20, log.GetProperty("items").GetArrayLength());
            Assert.Equal("/orders/one-3", detail.GetProperty("path").GetString());
            Assert.Equal(20, overview.GetProperty("requests").GetInt64());
            Assert.Equal(2, errors[0].GetProperty("count").GetInt64());
        }
    }

    [StoreFact]
    public async Task SignInOnOne_CookieAcceptedByTheOther()
    {
        var (client, cookies) = await SignInAsync(_addressA);
        client.Dispose();
        var handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false };
        foreach (Cookie cookie in cookies.GetAllCookies()) handler.CookieContainer.Add(_addressB, new Cookie(cookie.Name, cookie.Value));
        using var other = new HttpClient(handler) { BaseAddress = _addressB };

        var response = await other.GetAsync("/api/v1/overview");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [StoreFact]
    public async Task ConcurrentIngestThroughBoth_WithCrossServerRetries_NoDoubleCounting()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-3);
        var batches = Enumerable.Range(0, 16).Select(i => Batch(at.AddSeconds(i), 50, "b" + i)).ToList();

        // Every batch goes to both servers at once: the SDK retrying on another instance after a timeout.
        var sends = batches.SelectMany(b => new[] { Task.Run(() => PostAsync(_addressA, b)), Task.Run(() => PostAsync(_addressB, b)) }).ToArray();
        var statuses = await Task.WhenAll(sends);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        var (client, _) = await SignInAsync(_addressA);
        using (client)
        {
            var overview = await client.GetFromJsonAsync<JsonElement>("/api/v1/overview");
            var errors = await client.GetFromJsonAsync<JsonElement>("/api/v1/errors");
            var consumers = await client.GetFromJsonAsync<JsonElement>("/api/v1/consumers");
            var seen = new HashSet<string>();
            string? cursor = null;
            do
            {
                var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/requests?limit=500" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)));
                foreach (var item in page.GetProperty("items").EnumerateArray()) Assert.True(seen.Add(item.GetProperty("id").GetString()!));
                cursor = page.GetProperty("nextCursor").GetString();
            }
            while (cursor is not null);

            Assert.Equal(800, seen.Count);
            Assert.Equal(800, overview.GetProperty("requests").GetInt64());
            Assert.Equal(80, errors[0].GetProperty("count").GetInt64());
            Assert.Equal(4, consumers.GetArrayLength());
        }
    }
}
