using System.Text.Json;
using Sightline.Redaction.Paths;

namespace Sightline.Redaction.Json;

/// <summary>One segment of a filter-free path, compiled for the streaming matcher.</summary>
internal sealed class StreamingStep
{
    private readonly byte[][] _names;
    private readonly long[] _indices;
    private readonly SliceSelector[] _slices;
    private readonly bool _wildcard;

    private StreamingStep(bool descendant, byte[][] names, long[] indices, SliceSelector[] slices, bool wildcard)
    {
        Descendant = descendant;
        _names = names;
        _indices = indices;
        _slices = slices;
        _wildcard = wildcard;
    }

    public bool Descendant { get; }

    /// <summary>The UTF-8 names this step selects.</summary>
    public IReadOnlyList<byte[]> Names => _names;

    /// <summary>True when the step selects every child (wildcard).</summary>
    public bool Wildcard => _wildcard;

    /// <summary>True when the step has index or slice selectors (its array transitions depend on the index).</summary>
    public bool SelectsIndices => _indices.Length > 0 || _slices.Length > 0;

    /// <summary>The non-negative indices this step selects.</summary>
    public IReadOnlyList<long> Indices => _indices;

    /// <summary>The forward, length-independent slices this step selects.</summary>
    public IReadOnlyList<SliceSelector> Slices => _slices;

    /// <summary>Compiles a segment, or returns null when it needs the whole document (filters, negative indices or slices).</summary>
    public static StreamingStep? TryCompile(Segment segment)
    {
        var names = new List<byte[]>();
        var indices = new List<long>();
        var slices = new List<SliceSelector>();
        var wildcard = false;
        foreach (var selector in segment.Selectors)
        {
            switch (selector)
            {
                case NameSelector name: names.Add(name.Utf8Name); break;
                case WildcardSelector: wildcard = true; break;
                case IndexSelector index when index.Index >= 0: indices.Add(index.Index); break;
                case SliceSelector slice when slice.IsLengthIndependent: slices.Add(slice); break;
                default: return null;
            }
        }
        return new StreamingStep(segment.Descendant, [.. names], [.. indices], [.. slices], wildcard);
    }

    /// <summary>Does this step select the member whose name the reader is positioned on?</summary>
    public bool MatchesName(ref Utf8JsonReader reader)
    {
        if (_wildcard) return true;
        foreach (var name in _names)
            if (reader.ValueTextEquals(name)) return true;
        return false;
    }

    /// <summary>Does this step select array element <paramref name="index"/>?</summary>
    public bool MatchesIndex(int index)
    {
        if (_wildcard) return true;
        foreach (var i in _indices)
            if (i == index) return true;
        foreach (var slice in _slices)
            if (slice.Contains(index)) return true;
        return false;
    }
}
