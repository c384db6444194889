using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;
using Sightline.Redaction;

namespace Sightline.AspNetCore.Tests.Capture;

/// <summary>
/// Incoming bodies are redacted straight into JSON string literals and records are written as JSON
/// on the request thread: what the server receives must parse to exactly what the plain path
/// (redact, then escape in the shipper) produced.
/// </summary>
public sealed class EscapedCaptureTests
{
    private const string Json = "{\n\t\"id\": \"o-1\", \"items\": [{\"sku\": \"a \\\"q\\\" \\\\ b\", \"secret\": \"s-1\", \"note\": \"Grüße 日本 😀 \\u0001\\n\"},\r\n {\"sku\": \"pad\", \"secret\": \"s-2\", \"note\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}], \"user\": {\"email\": \"anna@example.com\"}}";

    private static CaptureSettings Settings(TextBodyPolicy text = TextBodyPolicy.Keep) => new(Options.Create(new SightlineOptions
    {
        ApiKey = "k",
        RedactRequestBody = ["$.items[*].secret", "$.user.email"],
        NonJsonTextBodies = text,
    }), null);

    // The body a record carries, as the text the server stores: (json or content, omitted, truncated).
    private static (string? Content, string? Omitted, bool Truncated) AsRecorded(Utf8Body body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, RecordJsonWriter.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", Guid.NewGuid());
            new RecordJsonWriter().WriteRequestBody(writer, body);
            writer.WriteEndObject();
        }
        body.Release();
        var parsed = JsonSerializer.Deserialize(buffer.WrittenSpan, WireJsonContext.Default.RequestRecord)!.RequestBody!;
        Assert.False(parsed.Json is not null && parsed.Content is not null);
        return (parsed.Json ?? parsed.Content, parsed.Omitted, parsed.Truncated);
    }

    private static void AssertSameRecordedBody(string? contentType, byte[] captured, bool truncated, CaptureSettings settings, string because)
    {
        var plain = BodyCapture.Format(contentType, captured, truncated, capturable: true, settings.RequestRedactor, settings);
        var escaped = BodyCapture.Format(contentType, captured, truncated, capturable: true, settings.RequestRedactor, settings, escaped: true);
        Assert.False(plain.Escaped);
        Assert.Equal(escaped.HasContent, plain.HasContent);
        Assert.False(plain.IsJson);
        if (escaped.HasContent && !escaped.IsJson) Assert.True(escaped.Escaped);
        Assert.Equal(AsRecorded(plain), AsRecorded(escaped));
    }

    [Fact]
    public void Format_JsonBodyCutAtEveryByte_RecordsTheSameBodyAsThePlainPath()
    {
        var settings = Settings();
        var bytes = Encoding.UTF8.GetBytes(Json);
        for (var cut = 0; cut <= bytes.Length; cut++)
            AssertSameRecordedBody("application/json", bytes[..cut], truncated: cut < bytes.Length, settings, $"cut {cut}");

        var whole = AsRecorded(BodyCapture.Format("application/json", bytes, false, true, settings.RequestRedactor, settings, escaped: true));
        Assert.DoesNotContain("anna@", whole.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("s-1", whole.Content, StringComparison.Ordinal);
        Assert.Contains("Grüße 日本 😀", whole.Content, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_InvalidJson_OmittedWithTheSameReason()
    {
        var settings = Settings();
        AssertSameRecordedBody("application/json", "{\"a\":\"x\u0001\"}"u8.ToArray(), false, settings, "control character");
        AssertSameRecordedBody("application/json", "{\"a\" 1}"u8.ToArray(), false, settings, "missing colon");

        var (content, omitted, _) = AsRecorded(BodyCapture.Format("application/json", "{\"a\" 1}"u8.ToArray(), false, true, settings.RequestRedactor, settings, escaped: true));
        Assert.Null(content);
        Assert.StartsWith("redaction failed", omitted, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_TextFormAndBinaryBodies_RecordTheSameBodyAsThePlainPath()
    {
        var settings = Settings();
        var text = new StringBuilder();
        for (var c = 0; c < 0x80; c++) text.Append((char)c);
        text.Append("é€😀\u2028");
        var textBytes = Encoding.UTF8.GetBytes(text.ToString());
        for (var cut = 0; cut <= textBytes.Length; cut++)
            AssertSameRecordedBody("text/plain", textBytes[..cut], truncated: cut < textBytes.Length, settings, $"text cut {cut}");

        AssertSameRecordedBody("application/x-www-form-urlencoded", "a=1&password=\"x\\y\"&b=%22"u8.ToArray(), false, settings, "form");
        AssertSameRecordedBody("text/plain", [0x61, 0xFF, 0xFE, 0x22], false, settings, "binary");
        AssertSameRecordedBody("text/plain", "x"u8.ToArray(), false, Settings(TextBodyPolicy.Drop), "dropped text");
        Assert.Equal("binary", AsRecorded(BodyCapture.Format("text/plain", [0x61, 0xFF], false, true, settings.RequestRedactor, settings, escaped: true)).Omitted);
    }

    private static RequestRecord Scalars(Guid id) => new()
    {
        Id = id,
        Direction = WireConstants.DirectionIncoming,
        Timestamp = DateTimeOffset.UnixEpoch.AddTicks(123_456_789),
        Method = "POST",
        RouteTemplate = "/orders/{id}",
        Path = "/orders/\"42\"",
        Status = 201,
        RequestSize = 10,
        TraceId = "0123456789abcdef0123456789abcdef",
        Errors = [new ErrorInfo { Type = "X", Message = "m \"q\"" }],
    };

    [Fact]
    public void BatchBuilder_SerializedAndPlainRecords_OneValidBatchInOrder()
    {
        using var builder = new BatchBuilder(new ServiceInfo { Name = "svc", Instance = "i" });
        var ids = Enumerable.Range(0, 6).Select(_ => Guid.NewGuid()).ToArray();
        var expected = new List<JsonNode>();
        for (var i = 0; i < ids.Length; i++)
        {
            var record = Scalars(ids[i]);
            expected.Add(JsonSerializer.SerializeToNode(record, WireJsonContext.Default.RequestRecord)!);
            if (i % 2 == 1)
            {
                builder.Add(record);
                continue;
            }
            // A serialized record, as the middleware hands it over: its JSON in a pooled buffer the batch returns.
            builder.Add(PooledRecords.Incoming(JsonSerializer.SerializeToUtf8Bytes(record, WireJsonContext.Default.RequestRecord)));
        }

        var bytes = builder.Finish().ToArray();

        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        var batch = JsonNode.Parse(gzip)!;
        var records = batch["records"]!.AsArray();
        Assert.Equal(ids.Length, records.Count);
        for (var i = 0; i < ids.Length; i++) Assert.True(JsonNode.DeepEquals(expected[i], records[i]), $"record {i}: {records[i]!.ToJsonString()}");
    }
}
