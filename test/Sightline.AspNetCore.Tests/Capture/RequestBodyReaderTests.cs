using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>
/// Apps that read the request through <c>BodyReader</c> (minimal APIs' JSON binding does in .NET 10) read the
/// server's own pipe through a thin tee, not a stream adapter, and the body is still captured exactly once,
/// byte for byte, however the app consumes and re-examines it.
/// </summary>
public sealed class RequestBodyReaderTests
{
    private static string Body(int items) => "{\"items\":[" + string.Join(",", Enumerable.Range(0, items).Select(i => $"{{\"n\":{i},\"card\":\"4111-{i:D4}\"}}")) + "]}";

    private static Task<SdkApp> StartAsync(Collector collector) => SdkApp.StartAsync(collector.Address, o =>
    {
        o.RedactRequestBody = ["$.items[*].card"];
        o.MaxBodySize = 64 * 1024;
    }, app =>
    {
        // Reads in small steps: examines everything it is given but consumes only up to the last comma, so the
        // reader hands the same bytes back again (and again) before the app moves on.
        app.MapPost("/pipe", async (HttpRequest request) =>
        {
            var reader = request.BodyReader;
            var text = new StringBuilder();
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                var comma = buffer.PositionOf((byte)',');
                if (comma is { } at && !result.IsCompleted)
                {
                    var consumed = buffer.GetPosition(1, at);
                    text.Append(Encoding.UTF8.GetString(buffer.Slice(0, consumed)));
                    reader.AdvanceTo(consumed, buffer.End);
                    continue;
                }
                if (result.IsCompleted)
                {
                    text.Append(Encoding.UTF8.GetString(buffer));
                    reader.AdvanceTo(buffer.End);
                    break;
                }
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            return Results.Text($"{reader.GetType().Name} {text.Length} {text.ToString().GetHashCode(StringComparison.Ordinal)}", "text/plain");
        });
        app.MapPost("/bound", (BoundBody body) => Results.Text($"{body.Items!.Count}", "text/plain"));
    });

    [Fact]
    public async Task BodyReader_PartialConsumeAndReexamine_AppSeesAllAndRecordHasItOnce()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await StartAsync(collector);
        var body = Body(400); // ~11 KB: several reads

        // Sent in pieces with pauses, so the app's reads return partial buffers.
        using var content = new SlowContent(Encoding.UTF8.GetBytes(body), 1500);
        content.Headers.ContentType = new("application/json");
        var response = await app.Client.PostAsync(new Uri(app.Address, "/pipe"), content);
        var answer = (await response.Content.ReadAsStringAsync()).Split(' ');

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual("StreamPipeReader", answer[0]); // the server's buffers, not a stream adapter over the tee
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), answer[1]);
        Assert.Equal(body.GetHashCode(StringComparison.Ordinal).ToString(System.Globalization.CultureInfo.InvariantCulture), answer[2]);
        var record = await collector.WaitForRecordAsync(r => r.Path == "/pipe");
        var expected = System.Text.RegularExpressions.Regex.Replace(body, "\"4111-\\d{4}\"", "\"[CLIENT_REDACTED]\"");
        Assert.Equal(expected, record.RequestBody!.Json);
        Assert.False(record.RequestBody.Truncated);
        Assert.Equal(body.Length, record.RequestSize);
    }

    [Fact]
    public async Task JsonBinding_ChunkedUpload_CapturedAndCounted()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await StartAsync(collector);
        var body = Body(200);

        using var content = new SlowContent(Encoding.UTF8.GetBytes(body), 700); // no Content-Length: chunked
        content.Headers.ContentType = new("application/json");
        var response = await app.Client.PostAsync(new Uri(app.Address, "/bound"), content);

        Assert.Equal("200", await response.Content.ReadAsStringAsync());
        var record = await collector.WaitForRecordAsync(r => r.Path == "/bound");
        Assert.DoesNotContain("4111-", record.RequestBody!.Json, StringComparison.Ordinal);
        Assert.Contains("\"n\":199", record.RequestBody.Json, StringComparison.Ordinal);
        Assert.Equal(body.Length, record.RequestSize);
    }

    [Fact]
    public async Task BodyReader_Http2_PartialConsumeAndJsonBinding_CapturedExactly()
    {
        await using var collector = await Collector.StartAsync();
        await using var app = await StartAsync(collector);
        using var h2 = new HttpClient { BaseAddress = app.Http2Address, DefaultRequestVersion = HttpVersion.Version20, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        var body = Body(300);
        var expected = System.Text.RegularExpressions.Regex.Replace(body, "\"4111-\\d{4}\"", "\"[CLIENT_REDACTED]\"");

        using var slow = new SlowContent(Encoding.UTF8.GetBytes(body), 1000);
        slow.Headers.ContentType = new("application/json");
        var piped = await h2.PostAsync("/pipe", slow);
        var bound = await h2.PostAsync("/bound", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpVersion.Version20, piped.Version);
        Assert.Equal(body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), (await piped.Content.ReadAsStringAsync()).Split(' ')[1]);
        Assert.Equal("300", await bound.Content.ReadAsStringAsync());
        var pipeRecord = await collector.WaitForRecordAsync(r => r.Path == "/pipe");
        var boundRecord = await collector.WaitForRecordAsync(r => r.Path == "/bound");
        Assert.Equal(expected, pipeRecord.RequestBody!.Json);
        Assert.Equal(expected, boundRecord.RequestBody!.Json);
        Assert.Equal(body.Length, pipeRecord.RequestSize);
    }

    public sealed record BoundBody(List<Dictionary<string, object>>? Items);

    /// <summary>Writes the body in pieces, flushing and pausing between them (no Content-Length: chunked).</summary>
    private sealed class SlowContent(byte[] bytes, int piece) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < bytes.Length; offset += piece)
            {
                await stream.WriteAsync(bytes.AsMemory(offset, Math.Min(piece, bytes.Length - offset)));
                await stream.FlushAsync();
                await Task.Delay(5);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
