using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sightline.AspNetCore.Capture;
using Sightline.AspNetCore.Transport;
using Sightline.Protocol.Wire;

namespace Sightline.AspNetCore.Tests.Transport;

/// <summary>The hand-written record writer must produce the same JSON document as the wire contract's serializer.</summary>
public sealed class RecordJsonWriterTests
{
    private const string Tricky = "{\"q\":\"a \\\"quoted\\\" \\\\ back\",\"ctl\":\"\u0001\t\n\r\b\f\u001f\",\"uni\":\"Grüße 日本 😀 <script>&'\u2028\"}";

    private static RequestRecord FullRecord() => new()
    {
        Id = Guid.NewGuid(),
        Direction = WireConstants.DirectionIncoming,
        ParentId = Guid.NewGuid(),
        Timestamp = new DateTimeOffset(2026, 11, 23, 12, 0, 0, 123, TimeSpan.Zero).AddTicks(4567),
        DurationNs = 1_234_567,
        Method = "POST",
        RouteTemplate = "/orders/{id}",
        Path = "/orders/42",
        Query = "a=1&token=[CLIENT_REDACTED]",
        Host = "localhost:5000",
        Url = "http://partner/x?y=\"z\"",
        Status = 201,
        RequestHeaders = new() { ["Content-Type"] = "application/json", ["X-Odd"] = "quote \" backslash \\ tab \t" },
        ResponseHeaders = new() { ["Server"] = "Kestrel" },
        RequestBody = new CapturedBody { Content = Tricky, ContentType = "application/json", Truncated = true },
        ResponseBody = new CapturedBody { ContentType = "application/pdf", Omitted = "binary" },
        RequestSize = 100_000,
        ResponseSize = 12,
        ClientIp = "127.0.0.1",
        UserAgent = "curl/8 \"x\"",
        Consumer = new ConsumerInfo { Identifier = "acme", Name = "Acme", Group = "Enterprise" },
        Errors = [new ErrorInfo { Type = "System.InvalidOperationException", Message = "bad \"thing\"", StackTrace = "at X\n at Y", Handled = false, Source = "unhandled", Inner = [new ErrorInfo { Type = "System.TimeoutException", Message = "t" }] }],
        ValidationErrors = [new ValidationFailure { Field = "items", Messages = ["At least one item is required."] }],
        Outgoing = [new RequestRecord { Id = Guid.NewGuid(), Direction = WireConstants.DirectionOutgoing, Method = "GET", Url = "http://partner/users/1", Status = 0, Timestamp = DateTimeOffset.UnixEpoch }],
        TraceId = "0123456789abcdef0123456789abcdef",
        SpanId = "0123456789abcdef",
        Service = new ServiceInfo { Name = "svc", Instance = "i", Tags = ["a: b"] },
    };

    private static JsonNode Written(Action<RecordJsonWriter, Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(new RecordJsonWriter(), writer);
        return JsonNode.Parse(buffer.WrittenSpan)!;
    }

    private static JsonNode Expected(RequestRecord record) => JsonSerializer.SerializeToNode(record, WireJsonContext.Default.RequestRecord)!;

    [Fact]
    public void Write_FullyPopulatedRecord_SameDocumentAsWireSerializer()
    {
        var record = FullRecord();

        var written = Written((w, json) => w.Write(json, record));

        Assert.True(JsonNode.DeepEquals(Expected(record), written), written.ToJsonString());
    }

    [Fact]
    public void Write_MinimalRecord_OmitsNullsLikeWireSerializer()
    {
        var record = new RequestRecord { Id = Guid.NewGuid(), Method = "GET", Path = "/" };

        var written = Written((w, json) => w.Write(json, record));

        Assert.True(JsonNode.DeepEquals(Expected(record), written), written.ToJsonString());
        Assert.Equal(record.Id, JsonSerializer.Deserialize(written.ToJsonString(), WireJsonContext.Default.RequestRecord)!.Id);
    }

    [Fact]
    public void WriteUtf8String_EveryControlCharacterQuoteAndBackslash_RoundTrips()
    {
        var text = new StringBuilder();
        for (var c = 0; c < 0x80; c++) text.Append((char)c);
        text.Append("é€😀\u2028");
        var value = text.ToString();

        var written = Written((w, json) => w.WriteUtf8String(json, Encoding.UTF8.GetBytes(value)));

        Assert.Equal(value, written.GetValue<string>());
    }

    [Fact]
    public void WriteUtf8String_EscapesAtEveryOffsetAndLength_RoundTrips()
    {
        var random = new Random(42);
        string[] alphabet = ["a", "b", "\"", "\\", "\n", "\u0001", "\u001f", " ", "é", "日", "😀", "{", "}", ":", ","];
        for (var tokens = 0; tokens < 200; tokens++)
        {
            var text = new StringBuilder();
            for (var i = 0; i < tokens; i++) text.Append(alphabet[random.Next(alphabet.Length)]);
            var value = text.ToString();

            var written = Written((w, json) => w.WriteUtf8String(json, Encoding.UTF8.GetBytes(value)));

            Assert.Equal(value, written.GetValue<string>());
        }
    }

    [Fact]
    public void Body_RedactionFailed_KeepsTruncationAndReasonWithoutContent()
    {
        var body = new Utf8Body { ContentType = "application/json", Truncated = true };
        "{\"partial"u8.CopyTo(body.GetSpan(9));
        body.Advance(9);
        body.Fail("redaction failed: invalid JSON");
        var written = Written((w, json) =>
        {
            json.WriteStartObject();
            json.WriteString("id", Guid.NewGuid());
            w.WriteRequestBody(json, body);
            json.WriteEndObject();
        });
        body.Release();

        var parsed = JsonSerializer.Deserialize(written.ToJsonString(), WireJsonContext.Default.RequestRecord)!;
        Assert.Null(parsed.RequestBody!.Content);
        Assert.True(parsed.RequestBody.Truncated);
        Assert.Equal("redaction failed: invalid JSON", parsed.RequestBody.Omitted);
    }
}
