namespace Sightline.Redaction.Paths;

/// <summary>A child (<c>[…]</c>, <c>.name</c>) or descendant (<c>..[…]</c>) segment (RFC 9535 §2.5).</summary>
internal sealed class Segment(bool descendant, Selector[] selectors)
{
    public bool Descendant { get; } = descendant;
    public Selector[] Selectors { get; } = selectors;

    /// <summary>True when every selector is a name or a non-negative index (a singular child segment).</summary>
    public bool IsSingular => !Descendant && Selectors.Length == 1 && Selectors[0] is NameSelector or IndexSelector;
}
