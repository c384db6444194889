using System.Text;

namespace Sightline.Redaction.Tests.Json;

public sealed class JsonRedactorTests
{
    private const string R = "\"[CLIENT_REDACTED]\"";

    [Fact]
    public void Redact_WholeObject_ReplacesCreditCard()
    {
        var (result, output) = JsonRedactor.Create(["$.user.credit_card"])
            .Run("""{"user":{"name":"Ann","credit_card":{"number":"4111","cvv":"123"}}}""");

        Assert.True(result.Succeeded);
        Assert.Equal($$$"""{"user":{"name":"Ann","credit_card":{{{R}}}}}""", output);
    }

    [Fact]
    public void Redact_ArrayWildcard_ReplacesEveryZip()
    {
        var (_, output) = JsonRedactor.Create(["$.user.addresses[*].zip"])
            .Run("""{"user":{"addresses":[{"zip":"10001","city":"NY"},{"zip":94105,"city":"SF"}]}}""");

        Assert.Equal($$$"""{"user":{"addresses":[{"zip":{{{R}}},"city":"NY"},{"zip":{{{R}}},"city":"SF"}]}}""", output);
    }

    [Fact]
    public void Redact_SeedPaths_UsersEmailCardNumberApiKey()
    {
        var redactor = JsonRedactor.Create(["$.users[*].email", "$.creditCard.number", "$.api_key"]);

        var (_, output) = redactor.Run("""{"api_key":"k","creditCard":{"number":4111111111111111,"exp":"12/30"},"users":[{"email":"a@b.c"},{"email":null}]}""");

        Assert.Equal($$$"""{"api_key":{{{R}}},"creditCard":{"number":{{{R}}},"exp":"12/30"},"users":[{"email":{{{R}}}},{"email":{{{R}}}}]}""", output);
    }

    [Fact]
    public void Redact_TopLevelArray_IsRedacted()
    {
        var (result, output) = JsonRedactor.Create(["$[*].password"]).Run("""[{"password":"p1"},{"password":"p2","id":3}]""");

        Assert.True(result.Succeeded);
        Assert.Equal($$$"""[{"password":{{{R}}}},{"password":{{{R}}},"id":3}]""", output);
    }

    [Fact]
    public void Redact_PathMatchingNothing_CopiesInputByteForByte()
    {
        const string json = "{ \"a\" : [1, 2.50, true, null, \"x\"],\n  \"b\": {\"c\": -0.0e10}\n}";

        var (result, output) = JsonRedactor.Create(["$.nothing.here", "$..missing"]).Run(json);

        Assert.True(result.Succeeded);
        Assert.Equal(json, output);
    }

    [Fact]
    public void Redact_OverlappingPaths_RedactOuterOnce()
    {
        var (_, output) = JsonRedactor.Create(["$.user.email", "$.user"]).Run("""{"user":{"email":"e"},"id":1}""");

        Assert.Equal($$$"""{"user":{{{R}}},"id":1}""", output);
    }

    [Fact]
    public void Redact_EscapedNamesInPathAndDocument_Match()
    {
        var (_, output) = JsonRedactor.Create(["$['a.b']", "$.email", "$['ünï']"])
            .Run("""{"a.b":1,"\u0065mail":"x@y","ünï":true,"a":{"b":2}}""");

        Assert.Equal($$$"""{"a.b":{{{R}}},"\u0065mail":{{{R}}},"ünï":{{{R}}},"a":{"b":2}}""", output);
    }

    [Fact]
    public void Redact_DescendantSegment_ReplacesAtEveryDepth()
    {
        var (_, output) = JsonRedactor.Create(["$..token"]).Run("""{"token":1,"a":[{"token":{"x":1}},{"b":{"token":"t"}}]}""");

        Assert.Equal($$$"""{"token":{{{R}}},"a":[{"token":{{{R}}}},{"b":{"token":{{{R}}}}}]}""", output);
    }

    [Fact]
    public void Redact_IndexAndSlice_SelectElements()
    {
        var (_, output) = JsonRedactor.Create(["$.a[1]", "$.b[0:4:2]", "$.c[-1]"]).Run("""{"a":[0,1,2],"b":[0,1,2,3,4],"c":[7,8,9]}""");

        Assert.Equal($$$"""{"a":[0,{{{R}}},2],"b":[{{{R}}},1,{{{R}}},3,4],"c":[7,8,{{{R}}}]}""", output);
    }

    [Fact]
    public void Redact_FilterPath_UsesExactEvaluation()
    {
        var redactor = JsonRedactor.Create(["$.users[?@.role == 'admin'].password"]);

        var (result, output) = redactor.Run("""{"users":[{"role":"admin","password":"a"},{"role":"user","password":"u"}]}""");

        Assert.True(redactor.RequiresDocument);
        Assert.True(result.Succeeded);
        Assert.Equal($$$"""{"users":[{"role":"admin","password":{{{R}}}},{"role":"user","password":"u"}]}""", output);
    }

    [Fact]
    public void Redact_PrettyPrinted_KeepsFormatting()
    {
        const string json = "{\n  \"user\": {\n    \"email\": \"a@b.c\",\n    \"age\": 3\n  }\n}";

        var (_, output) = JsonRedactor.Create(["$.user.email"]).Run(json);

        Assert.Equal("{\n  \"user\": {\n    \"email\": " + R + ",\n    \"age\": 3\n  }\n}", output);
    }

    [Fact]
    public void Redact_RootPath_ReplacesWholeDocument()
    {
        Assert.Equal(R, JsonRedactor.Create(["$"]).Run("""{"a":1}""").Output);
    }

    [Theory]
    [InlineData("{\"a\":1")]
    [InlineData("{\"a\":}")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{\"a\":1} trailing")]
    [InlineData("{\"a\":\"\u0001\"}")]
    public void Redact_InvalidJson_FailsClosed(string json)
    {
        var (result, _) = JsonRedactor.Create(["$.a"]).Run(json);

        Assert.False(result.Succeeded);
        Assert.Equal(JsonRedactionStatus.InvalidJson, result.Status);
    }

    [Fact]
    public void Redact_InvalidJsonWithFilterPath_FailsClosed()
    {
        var (result, _) = JsonRedactor.Create(["$[?@.a]"]).Run("[{\"a\":1},");

        Assert.Equal(JsonRedactionStatus.InvalidJson, result.Status);
    }

    [Theory]
    [InlineData("$.a")]
    [InlineData("$..zzz")]
    [InlineData("$[?@.a]")]
    public void Redact_TooDeep_FailsClosed(string path)
    {
        var json = new string('[', 100) + new string(']', 100);

        var (result, _) = JsonRedactor.Create([path]).Run(json);

        Assert.Equal(JsonRedactionStatus.DepthExceeded, result.Status);
    }

    [Fact]
    public void Create_InvalidPath_NamesIt()
    {
        var e = Assert.Throws<JsonPathException>(() => JsonRedactor.Create(["$.ok", "$.bad["]));

        Assert.Equal("$.bad[", e.Expression);
    }

    [Fact]
    public void Redact_EmptyRedactor_CopiesInput()
    {
        var (result, output) = JsonRedactor.Empty.Run("{\"a\":1}");

        Assert.True(result.Succeeded);
        Assert.Equal("{\"a\":1}", output);
    }
}
