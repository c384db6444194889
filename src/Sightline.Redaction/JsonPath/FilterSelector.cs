using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>[?expr]</c> (RFC 9535 §2.3.5): children for which the logical expression is true.</summary>
internal sealed class FilterSelector(LogicalExpr expression) : Selector
{
    public LogicalExpr Expression { get; } = expression;

    public override void Select(in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        if (node.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in node.Value.EnumerateObject())
            {
                if (Expression.Test(property.Value, context))
                    output.Add(new EvalNode(property.Value, new PathLink(node.Link, property.Name, 0)));
            }
        }
        else if (node.Value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var element in node.Value.EnumerateArray())
            {
                if (Expression.Test(element, context))
                    output.Add(new EvalNode(element, new PathLink(node.Link, null, i)));
                i++;
            }
        }
    }
}
