namespace Sightline.Redaction.Paths;

/// <summary>One step of a node's location: a member name or, when <see cref="Name"/> is null, an array index.</summary>
internal sealed class PathLink(PathLink? parent, string? name, int index)
{
    public PathLink? Parent { get; } = parent;
    public string? Name { get; } = name;
    public int Index { get; } = index;
}
