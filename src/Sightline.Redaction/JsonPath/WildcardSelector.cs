using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>*</c> (RFC 9535 §2.3.2): every member value or element.</summary>
internal sealed class WildcardSelector : Selector
{
    public static readonly WildcardSelector Instance = new();

    public override void Select(in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        if (node.Value.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in node.Value.EnumerateObject())
                output.Add(new EvalNode(property.Value, new PathLink(node.Link, property.Name, 0)));
        }
        else if (node.Value.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var element in node.Value.EnumerateArray())
                output.Add(new EvalNode(element, new PathLink(node.Link, null, i++)));
        }
    }
}
