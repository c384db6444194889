using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// Validated keys (and unknown ids) by key id, each for a short time. Lookups by <see cref="ReadOnlySpan{T}"/> so the
/// id need not be cut out of the presented key as a string. A key changed through <see cref="IApiKeyManager"/> on this
/// instance is invalidated at once; other instances see the change when their entry expires.
/// </summary>
internal sealed class ApiKeyCache
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly int _maxEntries;
    private int _added;

    public ApiKeyCache(IOptions<ApiKeyOptions> options)
    {
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        _maxEntries = Math.Max(1, options.Value.MaxCachedKeys);
    }

    public int Count => _entries.Count;

    public bool TryGet(ReadOnlySpan<char> id, long nowTicks, out ValidatedKey? key)
    {
        if (_bySpan.TryGetValue(id, out var entry) && entry.ExpiresAtTicks > nowTicks)
        {
            key = entry.Key;
            return true;
        }
        key = null;
        return false;
    }

    public void Set(string id, ValidatedKey? key, long expiresAtTicks)
    {
        // ConcurrentDictionary.Count takes every lock: track additions instead (an upper bound of the count).
        if (Volatile.Read(ref _added) >= _maxEntries)
        {
            _entries.Clear();
            Volatile.Write(ref _added, 0);
        }
        var entry = new Entry(key, expiresAtTicks);
        if (_entries.TryAdd(id, entry)) Interlocked.Increment(ref _added);
        else _entries[id] = entry;
    }

    public void Invalidate(string id) => _entries.TryRemove(id, out _);

    public void Clear() => _entries.Clear();

    private sealed record Entry(ValidatedKey? Key, long ExpiresAtTicks);
}
