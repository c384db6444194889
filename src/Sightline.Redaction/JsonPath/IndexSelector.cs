using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>[i]</c> (RFC 9535 §2.3.3); negative indices count from the end.</summary>
internal sealed class IndexSelector(long index) : Selector
{
    public long Index { get; } = index;

    public override void Select(in EvalNode node, FilterContext context, List<EvalNode> output)
    {
        if (node.Value.ValueKind != JsonValueKind.Array) return;
        var length = node.Value.GetArrayLength();
        var i = Index < 0 ? length + Index : Index;
        if (i < 0 || i >= length) return;
        output.Add(new EvalNode(node.Value[(int)i], new PathLink(node.Link, null, (int)i)));
    }
}
