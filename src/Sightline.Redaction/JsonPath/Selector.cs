using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>A selector of a segment (RFC 9535 §2.3).</summary>
internal abstract class Selector
{
    /// <summary>Appends the children of <paramref name="node"/> that this selector selects, in document order.</summary>
    public abstract void Select(in EvalNode node, FilterContext context, List<EvalNode> output);
}

/// <summary>A node during evaluation: value plus location.</summary>
internal readonly record struct EvalNode(JsonElement Value, PathLink? Link);

/// <summary>Root of the query (for <c>$</c> inside filters).</summary>
internal sealed class FilterContext(JsonElement root)
{
    public JsonElement Root { get; } = root;
}
