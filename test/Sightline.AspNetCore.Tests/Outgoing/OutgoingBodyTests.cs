using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Outgoing;

/// <summary>Outgoing request and response bodies, between two real Kestrel apps on 127.0.0.1.</summary>
public sealed class OutgoingBodyTests : IAsyncLifetime
{
    private const string Redacted = "[CLIENT_REDACTED]";
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new();
    private readonly ConcurrentDictionary<string, (string Body, string? Secret, string? Auth)> _received = new();
    private Collector _collector = null!;
    private WebApplication _partner = null!;
    private Uri _partnerAddress = null!;
    private SdkApp _app = null!;

    public async Task InitializeAsync()
    {
        _collector = await Collector.StartAsync();
        _partner = await StartPartnerAsync();
        _partnerAddress = AddressOf(_partner);
        _app = await SdkApp.StartAsync(_collector.Address, o =>
        {
            o.MaxBodySize = 512;
            o.RedactRequestBody = ["$.password"];          // incoming list: applies to outgoing request bodies too
            o.RedactOutgoingRequestBody = ["$.card"];      // outgoing only
            o.RedactResponseBody = ["$.email"];
            o.RedactOutgoingResponseBody = ["$.token"];
            o.RedactOutgoingHeaders = ["X-Partner-Secret"];
        }, app =>
        {
            app.MapPost("/send/{kind}", async (string kind, IHttpClientFactory factory) =>
            {
                var client = factory.CreateClient("partner");
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_partnerAddress, "/echo?id=" + kind));
                var payload = new { name = "Anna", password = "hunter2", card = "4111-1111" };
                request.Content = kind == "json" ? JsonContent.Create(payload) : new StringContent(JsonSerializer.Serialize(payload), Encoding.UTF8, "application/json");
                request.Headers.Add("X-Partner-Secret", "partner-secret-value");
                request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "bearer-secret");
                using var response = await client.SendAsync(request);
                return Results.Text(await response.Content.ReadAsStringAsync(), "application/json");
            });
            app.MapGet("/late", async (IHttpClientFactory factory) =>
            {
                // The response is read after this request has ended (its record is already sent).
                var response = await factory.CreateClient("partner").GetAsync(new Uri(_partnerAddress, "/stream?id=late"), HttpCompletionOption.ResponseHeadersRead);
                _ = Task.Run(async () =>
                {
                    using (response) await response.Content.ReadAsStringAsync();
                });
                return "started";
            });
        }, services => services.AddHttpClient("partner"));
    }

    public async Task DisposeAsync()
    {
        foreach (var gate in _gates.Values) gate.TrySetResult();
        await _app.DisposeAsync();
        await _partner.StopAsync();
        await _partner.DisposeAsync();
        await _collector.DisposeAsync();
    }

    private TaskCompletionSource Gate(string id) => _gates.GetOrAdd(id, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task<WebApplication> StartPartnerAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var partner = builder.Build();
        partner.MapPost("/echo", async (HttpContext c) =>
        {
            using var reader = new StreamReader(c.Request.Body);
            _received[c.Request.Query["id"]!] = (await reader.ReadToEndAsync(), c.Request.Headers["X-Partner-Secret"], c.Request.Headers.Authorization);
            return Results.Json(new { name = "Anna", email = "anna@example.com", token = "tok-123" });
        });
        partner.MapGet("/stream", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"items\":[");
            await c.Response.Body.FlushAsync();
            await Gate(c.Request.Query["id"]!).Task.WaitAsync(TimeSpan.FromSeconds(10));
            await c.Response.WriteAsync("1,2,3],\"token\":\"tok-stream\"}");
        });
        partner.MapGet("/abort", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync("{\"items\":[1,");
            await c.Response.Body.FlushAsync();
            await Task.Delay(100);
            c.Abort();
        });
        partner.MapGet("/big", () => Results.Text("{\"token\":\"tok-big\",\"pad\":\"" + new string('x', 2000) + "\"}", "application/json"));
        partner.MapGet("/binary", async (HttpContext c) =>
        {
            c.Response.ContentType = "application/octet-stream"; // chunked: no Content-Length
            for (var i = 0; i < 10; i++) await c.Response.Body.WriteAsync(new byte[1000]);
        });
        partner.MapGet("/badjson", () => Results.Text("{\"secret\":\"RAW-SECRET\"}}}", "application/json"));
        await partner.StartAsync();
        return partner;
    }

    private static Uri AddressOf(WebApplication app) => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private HttpClient PartnerClient() => _app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner");

    private Task<RequestRecord> OutgoingAsync(string urlPart) => _collector.WaitForRecordAsync(
        r => r.Direction == WireConstants.DirectionOutgoing && r.Url?.Contains(urlPart, StringComparison.Ordinal) == true);

    [Theory]
    [InlineData("json")]   // JsonContent: serialised while sent, teed through a stand-in content
    [InlineData("string")] // StringContent: already in memory, read once before sending
    public async Task OutgoingBodies_Json_RedactedWithIncomingAndOutgoingPaths(string kind)
    {
        var text = await (await _app.Client.PostAsync("/send/" + kind, null)).Content.ReadAsStringAsync();

        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/send/" + kind);
        var call = Assert.Single(parent.Outgoing!);
        var sent = _received[kind];
        // The partner got exactly what the app sent: redaction is only in the record.
        Assert.Contains("\"password\":\"hunter2\"", sent.Body, StringComparison.Ordinal);
        Assert.Contains("\"card\":\"4111-1111\"", sent.Body, StringComparison.Ordinal);
        Assert.Equal("partner-secret-value", sent.Secret);
        Assert.Equal("Bearer bearer-secret", sent.Auth);
        Assert.Equal(Encoding.UTF8.GetByteCount(sent.Body), call.RequestSize);
        Assert.Equal("{\"name\":\"Anna\",\"password\":\"[CLIENT_REDACTED]\",\"card\":\"[CLIENT_REDACTED]\"}", call.RequestBody!.Content);
        Assert.False(call.RequestBody.Truncated);
        Assert.Equal(Redacted, call.RequestHeaders!["X-Partner-Secret"]);
        Assert.Equal(Redacted, call.RequestHeaders["Authorization"]);
        Assert.Equal("{\"name\":\"Anna\",\"email\":\"[CLIENT_REDACTED]\",\"token\":\"[CLIENT_REDACTED]\"}", call.ResponseBody!.Content);
        Assert.StartsWith("application/json", call.ResponseBody.ContentType, StringComparison.Ordinal);
        // The outgoing-only list does not touch the app's own (incoming) response: the token stays, the email goes.
        Assert.Contains("tok-123", text, StringComparison.Ordinal);
        Assert.Equal("{\"name\":\"Anna\",\"email\":\"[CLIENT_REDACTED]\",\"token\":\"tok-123\"}", parent.ResponseBody!.Json);
    }

    [Fact]
    public async Task OutgoingResponse_Streamed_ReachesCallerBeforeItEndsAndRecordedWhenRead()
    {
        using var response = await PartnerClient().GetAsync(new Uri(_partnerAddress, "/stream?id=s1"), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[256];
        var first = await stream.ReadAsync(buffer);

        // The partner is still holding the rest back: the first chunk arrived, so nothing was buffered.
        Assert.Equal("{\"items\":[", Encoding.UTF8.GetString(buffer, 0, first));
        Assert.DoesNotContain(_collector.Records, r => r.Url?.Contains("id=s1", StringComparison.Ordinal) == true);
        Gate("s1").SetResult();
        var rest = new MemoryStream();
        await stream.CopyToAsync(rest);
        var whole = "{\"items\":[" + Encoding.UTF8.GetString(rest.ToArray());

        var call = await OutgoingAsync("id=s1");
        Assert.Equal("{\"items\":[1,2,3],\"token\":\"tok-stream\"}", whole);
        Assert.Equal("{\"items\":[1,2,3],\"token\":\"[CLIENT_REDACTED]\"}", call.ResponseBody!.Content);
        Assert.False(call.ResponseBody.Truncated);
        Assert.Equal(whole.Length, call.ResponseSize);
        Assert.Null(call.ParentId);
    }

    [Fact]
    public async Task OutgoingResponse_DisposedBeforeTheEnd_RecordedTruncatedWithWhatWasRead()
    {
        var response = await PartnerClient().GetAsync(new Uri(_partnerAddress, "/stream?id=s2"), HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var first = await stream.ReadAsync(new byte[256]);
        response.Dispose();
        Gate("s2").SetResult();

        var call = await OutgoingAsync("id=s2");
        Assert.Equal(10, first);
        Assert.True(call.ResponseBody!.Truncated);
        Assert.StartsWith("{\"items\":[", call.ResponseBody.Content, StringComparison.Ordinal);
        Assert.Equal(200, call.Status);
    }

    [Fact]
    public async Task OutgoingResponse_NeverRead_RecordedWhenDisposed()
    {
        var response = await PartnerClient().GetAsync(new Uri(_partnerAddress, "/stream?id=s3"), HttpCompletionOption.ResponseHeadersRead);
        response.Dispose();
        Gate("s3").SetResult();

        var call = await OutgoingAsync("id=s3");
        Assert.Equal("not read by the caller", call.ResponseBody!.Omitted);
        Assert.Null(call.ResponseBody.Content);
    }

    [Fact]
    public async Task OutgoingResponse_ConnectionLostMidBody_FullRecordWithError()
    {
        using var response = await PartnerClient().GetAsync(new Uri(_partnerAddress, "/abort?id=a1"), HttpCompletionOption.ResponseHeadersRead);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());

        var call = await OutgoingAsync("id=a1");
        Assert.Equal(200, call.Status);
        Assert.Equal("outgoing", Assert.Single(call.Errors!).Source);
        Assert.True(call.ResponseBody!.Truncated);
        Assert.StartsWith("{\"items\":[1", call.ResponseBody.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutgoingResponse_LongerThanCap_TruncatedRedactedAndCountedInFull()
    {
        var text = await PartnerClient().GetStringAsync(new Uri(_partnerAddress, "/big?id=b1"));

        var call = await OutgoingAsync("id=b1");
        Assert.Equal(text.Length, call.ResponseSize);
        Assert.True(call.ResponseBody!.Truncated);
        // The redactor keeps the complete part of a cut body: the unfinished "pad" string is left out.
        Assert.Equal("{\"token\":\"[CLIENT_REDACTED]\",\"pad\":", call.ResponseBody.Content);
        Assert.DoesNotContain("tok-big", call.ResponseBody.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutgoingResponse_BinaryChunked_SizeCountedBodyOmitted()
    {
        var bytes = await PartnerClient().GetByteArrayAsync(new Uri(_partnerAddress, "/binary?id=x1"));

        var call = await OutgoingAsync("id=x1");
        Assert.Equal(10_000, bytes.Length);
        Assert.Equal(10_000, call.ResponseSize);
        Assert.Equal("content-type not captured", call.ResponseBody!.Omitted);
        Assert.Null(call.ResponseBody.Content);
    }

    [Fact]
    public async Task OutgoingResponse_InvalidJson_FailsClosedNeverRaw()
    {
        var text = await PartnerClient().GetStringAsync(new Uri(_partnerAddress, "/badjson?id=j1"));

        var call = await OutgoingAsync("id=j1");
        Assert.Contains("RAW-SECRET", text, StringComparison.Ordinal);
        Assert.StartsWith("redaction failed", call.ResponseBody!.Omitted, StringComparison.Ordinal);
        Assert.DoesNotContain("RAW-SECRET", JsonSerializer.Serialize(call, WireJsonContext.Default.RequestRecord), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutgoingResponse_ReadAfterTheRequestEnded_SentOnItsOwnLinkedToTheRequest()
    {
        Assert.Equal("started", await _app.Client.GetStringAsync("/late"));
        var parent = await _collector.WaitForRecordAsync(r => r.Path == "/late");
        Gate("late").SetResult();

        var call = await OutgoingAsync("id=late");
        Assert.Null(parent.Outgoing); // the call had not finished when the request's record was built
        Assert.Equal(parent.Id, call.ParentId);
        Assert.Equal(parent.TraceId, call.TraceId);
        Assert.Equal("{\"items\":[1,2,3],\"token\":\"[CLIENT_REDACTED]\"}", call.ResponseBody!.Content);
    }

    [Fact]
    public async Task OutgoingBodies_CaptureOff_NoBodiesAndRecordedWithoutReading()
    {
        await using var app = await SdkApp.StartAsync(_collector.Address, o =>
        {
            o.CaptureOutgoingRequestBody = false;
            o.CaptureOutgoingResponseBody = false;
        }, _ => { }, services => services.AddHttpClient("partner"));
        var client = app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner");

        using var response = await client.PostAsync(new Uri(_partnerAddress, "/echo?id=off"), JsonContent.Create(new { password = "p" }), CancellationToken.None);

        var call = await OutgoingAsync("id=off"); // recorded although the body was never read
        Assert.Null(call.RequestBody);
        Assert.Null(call.ResponseBody);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task OutgoingCall_SynchronousSend_RecordedWithBodies()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_partnerAddress, "/echo?id=sync"))
        {
            Content = new StringContent("{\"card\":\"4111\",\"n\":1}", Encoding.UTF8, "application/json"),
        };

        // HttpClient.Send is synchronous all the way down (DelegatingHandler.Send); run it off the test's context.
        var text = await Task.Run(() =>
        {
            using var response = PartnerClient().Send(request);
            using var reader = new StreamReader(response.Content.ReadAsStream());
            return reader.ReadToEnd();
        });

        var call = await OutgoingAsync("id=sync");
        Assert.Contains("tok-123", text, StringComparison.Ordinal);
        Assert.Equal("{\"card\":\"[CLIENT_REDACTED]\",\"n\":1}", call.RequestBody!.Content);
        Assert.Equal("{\"name\":\"Anna\",\"email\":\"[CLIENT_REDACTED]\",\"token\":\"[CLIENT_REDACTED]\"}", call.ResponseBody!.Content);
    }

    [Fact]
    public async Task OutgoingCall_NoRecordedRequest_SampledAtSampleRate()
    {
        // SampleRate 0: a call inside an unsampled request, and one outside any request, are sampled like
        // requests: neither is recorded. Everything has arrived once the shutdown heartbeat has.
        var app = await SdkApp.StartAsync(_collector.Address, o => o.SampleRate = 0, a =>
            a.MapGet("/unsampled", async (IHttpClientFactory factory) =>
                await factory.CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=unsampled"))),
            services => services.AddHttpClient("partner"));
        await app.Client.GetStringAsync("/unsampled");
        await app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=outside-unsampled"));
        await app.DisposeAsync();
        await _collector.WaitUntilAsync(() => _collector.Batches.Any(b => b.Heartbeats.Any(h => h.Kind == "shutdown")));
        Assert.DoesNotContain(_collector.Records, r => r.Url?.Contains("id=unsampled", StringComparison.Ordinal) == true);
        Assert.DoesNotContain(_collector.Records, r => r.Url?.Contains("id=outside-unsampled", StringComparison.Ordinal) == true);

        // SampleRate 1: a call outside any request is a standalone record.
        await using var sampled = await SdkApp.StartAsync(_collector.Address, null, _ => { }, services => services.AddHttpClient("partner"));
        await sampled.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=after"));
        var call = await OutgoingAsync("id=after");
        Assert.Null(call.ParentId);
    }

    [Fact]
    public async Task OutgoingCall_ByWorkAnExcludedOrSampledRequestLeftRunning_AfterItEnded_IsOutsideAnyRequest()
    {
        // A lazy singleton's loop started on the first request (a health check, say) inherits that request's
        // async-local scope; once the request has ended, its calls are outside any request: recorded, no parent.
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = new List<Task>();
        await using var app = await SdkApp.StartAsync(_collector.Address, o => o.ExcludePaths = ["/excluded"], a =>
        {
            RequestDelegate start = context =>
            {
                var factory = context.RequestServices.GetRequiredService<IHttpClientFactory>();
                var id = context.Request.Path.Value!.Trim('/');
                lock (calls) calls.Add(Task.Run(async () =>
                {
                    await released.Task;
                    await factory.CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=left-running-" + id));
                }));
                return context.Response.WriteAsync("started");
            };
            a.MapGet("/excluded", start);
            a.MapGet("/sampled", start);
        }, services => services.AddHttpClient("partner"));

        await app.Client.GetStringAsync("/excluded");
        await app.Client.GetStringAsync("/sampled");
        await _collector.WaitForRecordAsync(r => r.Path == "/sampled");
        released.SetResult();
        Task[] started;
        lock (calls) started = [.. calls];
        await Task.WhenAll(started);

        var fromExcluded = await OutgoingAsync("id=left-running-excluded");
        var fromSampled = await OutgoingAsync("id=left-running-sampled");
        Assert.Null(fromExcluded.ParentId);
        Assert.Null(fromSampled.ParentId);
    }

    [Fact]
    public async Task OutgoingCall_InsideExcludedRequest_NotRecorded()
    {
        await using var app = await SdkApp.StartAsync(_collector.Address, o => o.ExcludePaths = ["/excluded"], a =>
            a.MapGet("/excluded", async (IHttpClientFactory factory) =>
                await factory.CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=excluded"))),
            services => services.AddHttpClient("partner"));

        await app.Client.GetStringAsync("/excluded");
        await app.App.Services.GetRequiredService<IHttpClientFactory>().CreateClient("partner").GetStringAsync(new Uri(_partnerAddress, "/big?id=marker"));

        await OutgoingAsync("id=marker"); // sent after the first call's record would have been
        Assert.DoesNotContain(_collector.Records, r => r.Url?.Contains("id=excluded", StringComparison.Ordinal) == true);
    }
}
