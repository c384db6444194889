using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>An embedded query: relative (<c>@…</c>) or absolute (<c>$…</c>).</summary>
internal sealed class QueryExpr(bool relative, Segment[] segments) : Expr
{
    public bool Relative { get; } = relative;
    public Segment[] Segments { get; } = segments;
    public override ExprType Type => ExprType.Nodes;

    /// <summary>A singular query (RFC 9535 §2.3.5.1): only name and index selectors in child segments.</summary>
    public bool IsSingular
    {
        get
        {
            foreach (var segment in Segments)
                if (!segment.IsSingular) return false;
            return true;
        }
    }

    public List<EvalNode> Evaluate(JsonElement current, FilterContext context)
        => QueryEvaluator.Evaluate(Segments, Relative ? current : context.Root, null, context);

    public FilterValue EvaluateSingle(JsonElement current, FilterContext context)
    {
        var nodes = Evaluate(current, context);
        return nodes.Count == 1 ? FilterValue.Of(nodes[0].Value) : FilterValue.Nothing;
    }
}
