using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Outgoing;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.Benchmarks.Outgoing;

/// <summary>
/// Cost of the outgoing-call handler on one call that POSTs a 2 KiB JSON body (<c>JsonContent</c>-like,
/// produced while sent) and reads a 2 KiB JSON response as a stream: bare <see cref="HttpClient"/> vs
/// Sightline without bodies vs Sightline with both bodies teed and redacted (3 paths). The terminal
/// handler answers from memory, so only the client-side cost is measured (no network); records go to a
/// sink that drops them. Run: dotnet run -c Release --project bench/Sightline.Benchmarks -- --filter '*OutgoingBenchmarks*'
/// </summary>
[MemoryDiagnoser]
public class OutgoingBenchmarks
{
    private static readonly byte[] s_body = Encoding.UTF8.GetBytes(Redaction.SampleDocuments.CreateString(2048));
    private static readonly Uri s_uri = new("http://partner.local/orders?token=secret");
    private HttpClient _bare = null!;
    private HttpClient _noBodies = null!;
    private HttpClient _bodies = null!;

    [GlobalSetup]
    public void Setup()
    {
        _bare = new HttpClient(new MemoryHandler());
        _noBodies = Build(o =>
        {
            o.CaptureOutgoingRequestBody = false;
            o.CaptureOutgoingResponseBody = false;
        });
        _bodies = Build(o =>
        {
            o.RedactRequestBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
            o.RedactResponseBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"];
        });
    }

    private static HttpClient Build(Action<SightlineOptions> configure)
    {
        var options = new SightlineOptions { ApiKey = "bench" };
        configure(options);
        var wrapped = Options.Create(options);
        var handler = new SightlineHttpHandler(new CaptureSettings(wrapped, null), new OutgoingSettings(wrapped), new DiscardSink(), TimeProvider.System)
        {
            InnerHandler = new MemoryHandler(),
        };
        return new HttpClient(handler);
    }

    private static async Task<int> Call(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, s_uri) { Content = new ProducedContent() };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        await using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        var buffer = new byte[4096];
        int n, total = 0;
        while ((n = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0) total += n;
        return total;
    }

    [Benchmark(Baseline = true)]
    public Task<int> Bare() => Call(_bare);

    [Benchmark]
    public Task<int> SightlineNoBodies() => Call(_noBodies);

    [Benchmark]
    public Task<int> SightlineWithBodies() => Call(_bodies);

    private CaptureSettings _settings = null!;
    private OutgoingSettings _outgoingSettings = null!;

    [GlobalSetup(Target = nameof(RedactBothBodiesOnly))]
    public void SetupRedact()
    {
        var wrapped = Options.Create(new SightlineOptions
        {
            ApiKey = "bench",
            RedactRequestBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"],
            RedactResponseBody = ["$.user.email", "$.user.addresses[*].zip", "$.orders[*].payment.card_number"],
        });
        _settings = new CaptureSettings(wrapped, null);
        _outgoingSettings = new OutgoingSettings(wrapped);
    }

    /// <summary>The redaction part of <see cref="SightlineWithBodies"/>, for reference.</summary>
    [Benchmark]
    public int RedactBothBodiesOnly()
    {
        var a = OutgoingBody.Format("application/json", s_body, false, true, _outgoingSettings.RequestRedactor, _settings);
        var b = OutgoingBody.Format("application/json", s_body, false, true, _outgoingSettings.ResponseRedactor, _settings);
        return a.Content!.Length + b.Content!.Length;
    }

    /// <summary>A body written while it is sent, like <c>JsonContent</c>.</summary>
    private sealed class ProducedContent : HttpContent
    {
        public ProducedContent() => Headers.ContentType = new("application/json");

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(s_body).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    /// <summary>Reads the request body like a real connection would, then answers with a streamed JSON body.</summary>
    private sealed class MemoryHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is { } content) await content.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(s_body, writable: false)) };
            response.Content.Headers.ContentType = new("application/json");
            return response;
        }
    }

    private sealed class DiscardSink : ITelemetrySink
    {
        public bool TryEnqueue(RequestRecord record) => true;
        public bool TryEnqueue(IncomingRecord record)
        {
            record.Release();
            return true;
        }
        public bool TryEnqueue(MetricsSnapshot snapshot) => true;
        public bool TryEnqueue(Heartbeat heartbeat) => true;
        public bool TryEnqueue(SecurityEvent securityEvent) => true;
    }
}
