using System.Text;

namespace Sightline.Redaction.Tests.Json;

public sealed class TruncatedBodyTests
{
    private const string Doc = """{"id":1,"email":"anna@example.com","name":"Änna Ünïcode","card":{"number":"4111111111111111"},"tail":[1,2,3]}""";

    public static TheoryData<int> Cuts()
    {
        var data = new TheoryData<int>();
        for (var i = 1; i < Encoding.UTF8.GetByteCount(Doc); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cuts))]
    public void Redact_TruncatedAtEveryByte_NeverLeaksAndIsPrefixOfFullRedaction(int cut)
    {
        var redactor = JsonRedactor.Create(["$.email", "$.card.number"]);
        var bytes = Encoding.UTF8.GetBytes(Doc);
        var full = redactor.Run(bytes).Output;

        var (result, output) = redactor.Run(bytes[..cut], truncated: true);

        Assert.True(result.Succeeded);
        Assert.True(result.Truncated);
        Assert.DoesNotContain("anna", output, StringComparison.Ordinal);
        Assert.DoesNotContain("4111", output, StringComparison.Ordinal);
        Assert.StartsWith(output, full, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_TruncatedInsideMultiByteCharacter_EmitsOnlyCompleteTokens()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"a":"x","n":"Ü""");
        var cut = bytes.Length - 1; // splits the two-byte 'Ü'

        var (result, output) = JsonRedactor.Create(["$.z"]).Run(bytes[..cut], truncated: true);

        Assert.True(result.Succeeded);
        Assert.Equal("""{"a":"x","n":""", output);
    }

    [Fact]
    public void Redact_TruncatedWithFilterPath_Fails()
    {
        var (result, _) = JsonRedactor.Create(["$[?@.a]"]).Run("[{\"a\":1}", truncated: true);

        Assert.Equal(JsonRedactionStatus.Failed, result.Status);
    }

    private const string RichDoc = "{ \"id\" : 1,\n  \"items\": [ {\"sku\":\"A-1\",\"qty\":2,\"tags\":[\"x\",\"y\"]}, {\"sku\":\"B\\u0032\"} ],\n"
        + "  \"\\u0065mail\": \"anna@example.com\", \"cards\": [ {\"number\": 4111111111111111, \"exp\": \"12/29\"}, {\"number\": \"5500000000000004\"} ],"
        + " \"secret\": {\"k\": [\"sk_live_abc\", {\"deep\": \"sk_live_def\"}]}, \"tail\": -12.5e3, \"done\": true }";

    public static TheoryData<int> RichCuts()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i <= Encoding.UTF8.GetByteCount(RichDoc); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(RichCuts))]
    public void Redact_ScannerTruncatedAtEveryByte_NeverLeaksAndIsPrefixOfFullRedaction(int cut)
    {
        var redactor = JsonRedactor.Create(["$.email", "$.cards[*].number", "$.secret"]);
        var bytes = Encoding.UTF8.GetBytes(RichDoc);
        var full = redactor.Run(bytes).Output;

        var (result, output) = redactor.Run(bytes[..cut], truncated: true);

        Assert.True(redactor.UsesScanner);
        Assert.True(result.Succeeded, result.Reason);
        Assert.True(result.Truncated);
        foreach (var secret in new[] { "anna", "4111", "5500", "sk_live" })
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.StartsWith(output, full, StringComparison.Ordinal);
        Assert.True(output.Length >= cut - 40 || output.Contains("[CLIENT_REDACTED]", StringComparison.Ordinal), $"cut {cut} kept only {output}");
    }

    [Theory]
    [InlineData("{\"a\":1,\"s\":{\"k\":[1,2", "{\"a\":1,\"s\":\"[CLIENT_REDACTED]\"")]
    [InlineData("{\"a\":1,\"s\":\"sec", "{\"a\":1,\"s\":\"[CLIENT_REDACTED]\"")]
    [InlineData("{\"a\":1,\"s\":12", "{\"a\":1,\"s\":\"[CLIENT_REDACTED]\"")]
    [InlineData("{\"a\":1,\"s\":", "{\"a\":1,\"s\":")]
    [InlineData("{\"a\":12", "{\"a\":")]
    [InlineData("{\"a\":12 ", "{\"a\":12 ")]
    [InlineData("{\"a\":tr", "{\"a\":")]
    [InlineData("{\"a\":true", "{\"a\":true")]
    [InlineData("{\"a\":\"x\\u00", "{\"a\":")]
    [InlineData("{\"a\":1,\"s", "{\"a\":1,")]
    [InlineData("{\"a\":1,\"s\" ", "{\"a\":1,")]
    [InlineData("{\"a\":[1,{\"b\":[]}", "{\"a\":[1,{\"b\":[]}")]
    [InlineData("", "")]
    public void Redact_ScannerTruncated_EndsAtLastCompleteTokenOrReplacement(string prefix, string expected)
    {
        var (result, output) = JsonRedactor.Create(["$.s"]).Run(prefix, truncated: true);

        Assert.True(result.Succeeded);
        Assert.True(result.Truncated);
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData("{\"a\":01")]
    [InlineData("{\"a\":\"x\\u0g")]
    [InlineData("{\"a\":trux")]
    [InlineData("{\"a\" 1")]
    [InlineData("[1,2]  x")]
    public void Redact_ScannerTruncatedButAlreadyInvalid_FailsClosed(string prefix)
    {
        var (result, _) = JsonRedactor.Create(["$.s"]).Run(prefix, truncated: true);

        Assert.Equal(JsonRedactionStatus.InvalidJson, result.Status);
    }
}
