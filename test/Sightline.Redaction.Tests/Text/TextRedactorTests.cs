namespace Sightline.Redaction.Tests.Text;

public sealed class TextRedactorTests
{
    [Theory]
    [InlineData("authorization")]
    [InlineData("COOKIE")]
    [InlineData("Set-Cookie")]
    [InlineData("x-api-key")]
    [InlineData("Proxy-Authorization")]
    [InlineData("x-session")]
    public void HeaderRedactor_DefaultsAndUserNames_CaseInsensitive(string name)
    {
        Assert.True(new HeaderRedactor(["X-Session"]).ShouldRedact(name));
    }

    [Fact]
    public void HeaderRedactor_OtherHeaders_Kept()
    {
        Assert.False(new HeaderRedactor([]).ShouldRedact("Content-Type"));
    }

    [Theory]
    [InlineData("token=abc&page=2", "token=%5BCLIENT_REDACTED%5D&page=2")]
    [InlineData("?page=2&TOKEN=abc", "?page=2&TOKEN=%5BCLIENT_REDACTED%5D")]
    [InlineData("page=2&to%6Ben=abc&token", "page=2&to%6Ben=%5BCLIENT_REDACTED%5D&token=%5BCLIENT_REDACTED%5D")]
    [InlineData("page=2", "page=2")]
    [InlineData("", "")]
    public void QueryStringRedactor_RedactsByName(string query, string expected)
    {
        Assert.Equal(expected, new QueryStringRedactor(["token"]).Redact(query));
    }

    [Fact]
    public void FormRedactor_RedactsFields()
    {
        Assert.Equal("user=ann&password=%5BCLIENT_REDACTED%5D", new FormRedactor(["password"]).Redact("user=ann&password=s%20cret"));
    }
}
