using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys.Tests.Monitoring;

/// <summary>(Same as test/Sightline.AspNetCore.Tests/Collector.cs.) A real Kestrel ingest endpoint on 127.0.0.1 that records what the SDK sends and answers as told.</summary>
internal sealed class Collector : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _attempts;

    private Collector(WebApplication app) => _app = app;

    public ConcurrentQueue<IngestBatch> Batches { get; } = new();
    public ConcurrentQueue<string?> ApiKeys { get; } = new();
    public int Attempts => Volatile.Read(ref _attempts);
    public Uri Address { get; private set; } = null!;

    /// <summary>Decides the response to attempt n (1-based); null means 200 and store the batch.</summary>
    public Func<int, IResult?> Respond { get; set; } = static _ => null;

    public static async Task<Collector> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var collector = new Collector(app);
        app.MapPost(WireConstants.IngestPath, async (HttpContext context) =>
        {
            var attempt = Interlocked.Increment(ref collector._attempts);
            if (collector.Respond(attempt) is { } result) return result;
            Stream body = context.Request.Body;
            if (context.Request.Headers.ContentEncoding == "gzip") body = new GZipStream(body, CompressionMode.Decompress);
            var batch = await JsonSerializer.DeserializeAsync(body, WireJsonContext.Default.IngestBatch);
            collector.ApiKeys.Enqueue(context.Request.Headers[WireConstants.ApiKeyHeader]);
            collector.Batches.Enqueue(batch!);
            return Results.Json(new { accepted = batch!.Records.Count, rejected = Array.Empty<object>() });
        });
        await app.StartAsync();
        collector.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return collector;
    }

    public IEnumerable<RequestRecord> Records => Batches.SelectMany(b => b.Records);

    public async Task<RequestRecord> WaitForRecordAsync(Func<RequestRecord, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (DateTime.UtcNow < deadline)
        {
            var found = Records.FirstOrDefault(match);
            if (found is not null) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException("The collector received no matching record. Received: " + string.Join(", ", Records.Select(r => r.Method + " " + r.Path)));
    }

    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("Condition not met in time.");
            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
