using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>Applies segments to a node list (RFC 9535 §2.5).</summary>
internal static class QueryEvaluator
{
    public static List<EvalNode> Evaluate(Segment[] segments, JsonElement start, PathLink? startLink, FilterContext context)
    {
        var current = new List<EvalNode> { new(start, startLink) };
        var next = new List<EvalNode>();
        foreach (var segment in segments)
        {
            next.Clear();
            foreach (var node in current)
            {
                if (segment.Descendant) ApplyDescendant(segment, node, context, next);
                else ApplySelectors(segment, node, context, next);
            }
            (current, next) = (next, current);
            if (current.Count == 0) break;
        }
        return current;
    }

    private static void ApplySelectors(Segment segment, in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        foreach (var selector in segment.Selectors) selector.Select(node, context, output);
    }

    // Descendant segment: the node itself, then its descendants in document order (pre-order).
    private static void ApplyDescendant(Segment segment, in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        ApplySelectors(segment, node, context, output);
        if (node.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in node.Value.EnumerateObject())
                ApplyDescendant(segment, new EvalNode(property.Value, new PathLink(node.Link, property.Name, 0)), context, output);
        }
        else if (node.Value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var element in node.Value.EnumerateArray())
                ApplyDescendant(segment, new EvalNode(element, new PathLink(node.Link, null, i++)), context, output);
        }
    }
}
