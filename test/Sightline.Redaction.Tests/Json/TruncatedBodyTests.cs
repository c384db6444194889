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
}
