using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>['name']</c> or <c>.name</c> (RFC 9535 §2.3.1).</summary>
internal sealed class NameSelector(string name) : Selector
{
    public string Name { get; } = name;
    public byte[] Utf8Name { get; } = System.Text.Encoding.UTF8.GetBytes(name);

    public override void Select(in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        if (node.Value.ValueKind != JsonValueKind.Object) return;
        foreach (var property in node.Value.EnumerateObject())
        {
            if (property.NameEquals(Name))
            {
                output.Add(new EvalNode(property.Value, new PathLink(node.Link, Name, 0)));
                return;
            }
        }
    }
}
