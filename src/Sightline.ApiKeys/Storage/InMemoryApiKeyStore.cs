using System.Collections.Concurrent;

namespace Sightline.ApiKeys;

/// <summary>A thread-safe store in process memory, for tests and small apps. Keys are lost when the process ends.</summary>
public sealed class InMemoryApiKeyStore : IApiKeyStore
{
    private readonly ConcurrentDictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <inheritdoc />
    public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        lock (_gate) return ValueTask.FromResult(_keys.TryGetValue(id, out var record) ? record.Clone() : null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<ApiKeyRecord> list = _keys.Values
                .Where(k => consumerId is null || string.Equals(k.ConsumerId, consumerId, StringComparison.Ordinal))
                .OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)
                .Select(k => k.Clone()).ToList();
            return Task.FromResult(list);
        }
    }

    /// <inheritdoc />
    public Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (!_keys.TryAdd(record.Id, record.Clone())) throw new InvalidOperationException($"An API key with id '{record.Id}' already exists.");
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        lock (_gate)
        {
            if (!_keys.TryGetValue(record.Id, out var existing)) return Task.FromResult(false);
            var updated = record.Clone();
            updated.Hash = existing.Hash;
            updated.PepperVersion = existing.PepperVersion;
            updated.Prefix = existing.Prefix;
            updated.CreatedAt = existing.CreatedAt;
            updated.LastUsedAt = existing.LastUsedAt;
            _keys[record.Id] = updated;
            return Task.FromResult(true);
        }
    }

    /// <inheritdoc />
    public Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        lock (_gate)
        {
            foreach (var (id, at) in usage)
            {
                if (_keys.TryGetValue(id, out var record) && (record.LastUsedAt is null || record.LastUsedAt < at)) record.LastUsedAt = at;
            }
        }
        return Task.CompletedTask;
    }
}
