using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using Sightline.Protocol.Wire;

namespace Sightline.Protocol.Tests.Wire;

/// <summary>
/// <see cref="CapturedBody.Json"/> reads any JSON value as its exact text, the same whether the batch is read from
/// memory by <see cref="WireJson.DeserializeBatch"/> (sliced) or streamed in small pieces (parsed per value).
/// </summary>
public sealed class CapturedBodyJsonTests
{
    public static TheoryData<string> Values =>
    [
        "{ \"a\" : \"Grüße \\\"q\\\" \\\\ \\u00e9 日本 😀\\n\",\r\n\t\"b\": [1, 2.5e3, true, false, null, {}], \"c\": {\"d\": []} }",
        "[1,[2,[3]]]",
        "\"a string \\\" with \\\\ escapes \\u0041\"",
        "-12.5e3",
        "0",
        "true",
        "false",
        "null",
        "{}",
        "[]",
    ];

    private static byte[] Batch(string value, string member = "requestBody")
        => Encoding.UTF8.GetBytes("{\"schemaVersion\":1,\"records\":[{\"id\":\"0193a0a0-0000-7000-8000-000000000001\",\"method\":\"GET\",\"" + member + "\":{\"json\":" + value
            + ",\"contentType\":\"application/json\",\"truncated\":false},\"status\":200}]}");

    private static async Task<IngestBatch> StreamedAsync(byte[] bytes)
    {
        // One byte per read: every value crosses buffer boundaries.
        var pipe = new Pipe();
        var reading = JsonSerializer.DeserializeAsync(pipe.Reader.AsStream(), WireJsonContext.Default.IngestBatch);
        foreach (var b in bytes)
        {
            await pipe.Writer.WriteAsync(new[] { b });
            await pipe.Writer.FlushAsync();
        }
        await pipe.Writer.CompleteAsync();
        return (await reading)!;
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task Json_AnyValue_ReadAsItsExactTextFromMemorySpanAndStream(string value)
    {
        var bytes = Batch(value);

        var sliced = WireJson.DeserializeBatch(bytes)!.Records[0];
        var span = JsonSerializer.Deserialize(bytes, WireJsonContext.Default.IngestBatch)!.Records[0];
        var streamed = (await StreamedAsync(bytes)).Records[0];

        Assert.Equal(value, sliced.RequestBody!.Json);
        Assert.Equal(value, span.RequestBody!.Json);
        Assert.Equal(value, streamed.RequestBody!.Json);
        Assert.Null(sliced.RequestBody.Content);
        Assert.Equal(200, sliced.Status); // the reader went on after the value
        Assert.Equal("application/json", sliced.RequestBody.ContentType);
    }

    [Fact]
    public void Json_WrittenBySerializer_IsTheRawValueAndReadsBack()
    {
        var body = new CapturedBody { Json = "{\"a\": [1, \"x\"]}", ContentType = "application/json" };
        var record = new RequestRecord { Id = Guid.NewGuid(), Method = "GET", RequestBody = body };

        var json = JsonSerializer.Serialize(record, WireJsonContext.Default.RequestRecord);

        Assert.Contains("\"json\":{\"a\": [1, \"x\"]}", json, StringComparison.Ordinal);
        Assert.Equal(body.Json, JsonSerializer.Deserialize(json, WireJsonContext.Default.RequestRecord)!.RequestBody!.Json);
    }

    [Theory]
    [InlineData("{\"a\":1")]
    [InlineData("[1,]")]
    [InlineData("{\"a\" 1}")]
    public void Json_InvalidValue_BatchIsMalformed(string value)
        => Assert.ThrowsAny<JsonException>(() => WireJson.DeserializeBatch(Batch(value)));

    [Fact]
    public void Json_AtTheDepthLimitInTheDeepestPlace_Read_OneDeeper_Malformed()
    {
        static string Nested(int depth) => new string('[', depth) + "1" + new string(']', depth);
        // The deepest place a body can be: the batch, records, a record, outgoing, the child record, the body.
        static byte[] Deepest(string value) => Encoding.UTF8.GetBytes("{\"records\":[{\"id\":\"0193a0a0-0000-7000-8000-000000000001\",\"outgoing\":[{\"responseBody\":{\"json\":" + value + "}}]}]}");

        var read = WireJson.DeserializeBatch(Deepest(Nested(WireConstants.MaxJsonBodyDepth)))!;

        Assert.Equal(Nested(WireConstants.MaxJsonBodyDepth), read.Records[0].Outgoing![0].ResponseBody!.Json);
        Assert.ThrowsAny<JsonException>(() => WireJson.DeserializeBatch(Deepest(Nested(WireConstants.MaxJsonBodyDepth + 1))));
        Assert.Equal(WireConstants.MaxJsonBodyDepth + WireConstants.MaxBodyEnvelopeDepth, WireConstants.MaxBatchDepth);
    }
}
