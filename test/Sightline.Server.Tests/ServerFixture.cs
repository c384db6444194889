using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;
using Sightline.Server.Hosting;
using Sightline.Server.Storage;

namespace Sightline.Server.Tests;

/// <summary>A real Sightline server on Kestrel at 127.0.0.1 with a real SQLite file in a temp folder.</summary>
internal sealed class ServerFixture : IAsyncDisposable
{
    public const string AdminPassword = "test-admin-password";
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "sightline-server-tests", Guid.NewGuid().ToString("n"));

    public WebApplication App { get; private set; } = null!;
    public Uri Address { get; private set; } = null!;
    public string IngestKey { get; private set; } = null!;
    public ISightlineStore Store => App.Services.GetRequiredService<ISightlineStore>();
    public Sightline.Server.Security.IngestKeyService Keys => App.Services.GetRequiredService<Sightline.Server.Security.IngestKeyService>();
    public string DatabasePath => Path.Combine(_dataDir, "sightline.db");

    /// <summary>
    /// Starts a server; <paramref name="seed"/> first gets the data directory, e.g. to leave a database as an older
    /// version did; <paramref name="args"/> are more command-line settings (<c>--Sightline:Server:…=…</c>).
    /// </summary>
    public static async Task<ServerFixture> StartAsync(Action<string>? seed = null, params string[] args)
    {
        var fixture = new ServerFixture();
        seed?.Invoke(fixture._dataDir);
        var (app, firstRun) = SightlineServer.Build(
            [$"--Sightline:Server:Urls=http://127.0.0.1:0", $"--Sightline:Server:DataDirectory={fixture._dataDir}", $"--Sightline:Server:AdminPassword={AdminPassword}", .. args],
            b => b.Logging.ClearProviders());
        await app.StartAsync();
        fixture.App = app;
        fixture.IngestKey = firstRun.IngestKey!; // null when the seed already created the default project
        fixture.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return fixture;
    }

    public HttpClient Client() => new() { BaseAddress = Address };

    /// <summary>
    /// Starts an app on a free loopback port, instrumented with the SDK shipping to this server (its ingest key,
    /// flushed every 100 ms, no spool; <paramref name="configure"/> runs after that), with <paramref name="map"/>'s
    /// endpoints. The client talks to the app. Stopping the app flushes what the SDK has queued.
    /// </summary>
    public async Task<(WebApplication App, HttpClient Client)> StartSdkAppAsync(Action<Sightline.AspNetCore.SightlineOptions> configure, Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSightline(o =>
        {
            o.ApiKey = IngestKey;
            o.Endpoint = Address;
            o.FlushInterval = TimeSpan.FromMilliseconds(100);
            o.SpoolDirectory = "";
            configure(o);
        });
        var app = builder.Build();
        app.UseSightline();
        map(app);
        await app.StartAsync();
        var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };
        return (app, client);
    }

    /// <summary>A client signed in through the real login form (antiforgery token and cookie).</summary>
    public async Task<HttpClient> SignedInClientAsync(string password = AdminPassword, string user = "admin", CookieContainer? cookies = null)
    {
        var handler = new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = false };
        var client = new HttpClient(handler) { BaseAddress = Address };
        var page = await client.GetStringAsync("/login");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = user, ["password"] = password, ["__RequestVerificationToken"] = token,
        }));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    public async Task<HttpResponseMessage> PostBatchAsync(IngestBatch batch, string? key = null, bool gzip = true)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(batch, WireJsonContext.Default.IngestBatch);
        return await PostRawAsync(json, key, gzip);
    }

    public async Task<HttpResponseMessage> PostRawAsync(byte[] json, string? key = null, bool gzip = true)
    {
        using var client = Client();
        var body = json;
        if (gzip)
        {
            using var buffer = new MemoryStream();
            using (var z = new GZipStream(buffer, CompressionLevel.Fastest, true)) z.Write(json);
            body = buffer.ToArray();
        }
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (gzip) content.Headers.ContentEncoding.Add("gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, WireConstants.IngestPath) { Content = content };
        request.Headers.Add(WireConstants.ApiKeyHeader, key ?? IngestKey);
        return await client.SendAsync(request);
    }

    public static RequestRecord Record(string path = "/users/1", int status = 200, string? consumer = null, DateTimeOffset? at = null) => new()
    {
        Id = Guid.NewGuid(), Timestamp = at ?? DateTimeOffset.UtcNow, Method = "GET", RouteTemplate = "/users/{id}", Path = path, Status = status,
        DurationNs = 5_000_000, ResponseSize = 100, Consumer = consumer is null ? null : new ConsumerInfo { Identifier = consumer, Name = consumer + " name" },
    };

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
