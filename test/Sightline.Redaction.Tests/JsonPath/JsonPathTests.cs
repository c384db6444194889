using System.Text.Json;

namespace Sightline.Redaction.Tests.JsonPath;

public sealed class JsonPathTests
{
    [Theory]
    [InlineData("$.user..", 8)]
    [InlineData("$[01]", 3)]
    [InlineData("user.email", 0)]
    [InlineData("$[?@.a == 1", 11)]
    [InlineData("$[?length(@.a)]", 3)]
    public void Parse_Invalid_ReportsPosition(string expression, int position)
    {
        var e = Assert.Throws<JsonPathException>(() => Redaction.JsonPath.Parse(expression));

        Assert.Equal(expression, e.Expression);
        Assert.Equal(position, e.Position);
        Assert.Contains(expression, e.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ReturnsNormalizedPaths_WithEscapes()
    {
        using var doc = JsonDocument.Parse("""{"a'b":{"c\nd":[1,2,3]}}""");

        var nodes = Redaction.JsonPath.Parse("$..[-1]").Evaluate(doc.RootElement);

        var node = Assert.Single(nodes);
        Assert.Equal(3, node.Value.GetInt32());
        Assert.Equal(@"$['a\'b']['c\nd'][2]", node.NormalizedPath);
        Assert.Equal(new object[] { "a'b", "c\nd", 2 }, node.Location);
    }

    [Fact]
    public void Evaluate_FilterWithFunctions_SelectsMatchingElements()
    {
        using var doc = JsonDocument.Parse("""{"users":[{"email":"a@x.io","tags":[1]},{"email":"b@y.io","tags":[1,2]}]}""");

        var nodes = Redaction.JsonPath.Parse("$.users[?search(@.email, 'y\\\\.io') && count(@.tags[*]) == 2].email").Evaluate(doc.RootElement);

        Assert.Equal(["$['users'][1]['email']"], nodes.Select(n => n.NormalizedPath));
    }
}
