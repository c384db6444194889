namespace Sightline.Redaction.Json;

/// <summary>
/// Locations selected by the exact (DOM) evaluation of filter paths, as a trie walked in step with
/// the streaming pass.
/// </summary>
internal sealed class LocationTrie
{
    private Dictionary<string, LocationTrie>? _names;
    private Dictionary<int, LocationTrie>? _indices;

    public bool Terminal { get; private set; }

    public void Add(IReadOnlyList<object> location)
    {
        var node = this;
        foreach (var part in location)
        {
            if (node.Terminal) return; // an ancestor is redacted whole
            node = part is string name
                ? GetOrAdd(node._names ??= new(StringComparer.Ordinal), name)
                : GetOrAdd(node._indices ??= [], (int)part);
        }
        node.Terminal = true;
    }

    public LocationTrie? Child(string name) => _names is not null && _names.TryGetValue(name, out var c) ? c : null;

    public LocationTrie? Child(int index) => _indices is not null && _indices.TryGetValue(index, out var c) ? c : null;

    public bool HasNameChildren => _names is { Count: > 0 };

    private static LocationTrie GetOrAdd<TKey>(Dictionary<TKey, LocationTrie> map, TKey key) where TKey : notnull
    {
        if (!map.TryGetValue(key, out var child)) map[key] = child = new LocationTrie();
        return child;
    }
}
