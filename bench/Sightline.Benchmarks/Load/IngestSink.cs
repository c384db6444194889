using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Sightline.Benchmarks.Load;

/// <summary>
/// A minimal ingest endpoint for the SDK load benchmark: reads and discards each batch and answers
/// 200, so the benchmark measures the SDK's cost in the app, not the server's storage work
/// competing for the same two cores.
/// </summary>
public static class IngestSink
{
    public static async Task RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapPost("/api/v1/ingest", async (HttpContext context) =>
        {
            var buffer = new byte[16384];
            while (await context.Request.Body.ReadAsync(buffer) > 0)
            {
            }
            return Results.Text("{\"accepted\":0,\"rejected\":[]}", "application/json");
        });
        app.MapGet("/healthz", () => "ok");
        await app.RunAsync();
    }
}
