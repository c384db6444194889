using System.Text.Json;
using Sightline.Redaction.Paths;

namespace Sightline.Redaction;

/// <summary>
/// A compiled RFC 9535 JSONPath query. <see cref="Parse"/> accepts exactly the RFC 9535 grammar,
/// including filters and the function extensions length, count, match, search and value
/// (I-Regexp, RFC 9485), and rejects anything else with a <see cref="JsonPathException"/>.
/// </summary>
public sealed class JsonPath
{
    private JsonPath(string expression, Segment[] segments)
    {
        Expression = expression;
        Segments = segments;
    }

    /// <summary>The source text.</summary>
    public string Expression { get; }

    internal Segment[] Segments { get; }

    /// <summary>Parses <paramref name="expression"/>.</summary>
    /// <exception cref="JsonPathException">The expression is not a valid, well-typed RFC 9535 query.</exception>
    public static JsonPath Parse(string expression) => new(expression, Parser.Parse(expression));

    /// <summary>Evaluates the query against <paramref name="document"/> and returns the selected nodes in RFC 9535 order, each with its normalized path.</summary>
    public IReadOnlyList<JsonPathNode> Evaluate(JsonElement document)
    {
        var nodes = QueryEvaluator.Evaluate(Segments, document, null, new FilterContext(document));
        var result = new JsonPathNode[nodes.Count];
        for (var i = 0; i < nodes.Count; i++) result[i] = new JsonPathNode(nodes[i].Value, nodes[i].Link);
        return result;
    }

    /// <inheritdoc />
    public override string ToString() => Expression;
}
