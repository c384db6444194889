namespace Sightline.ApiKeys.Tests;

/// <summary>A real store wrapped to count the calls the library makes to it.</summary>
internal sealed class CountingStore(IApiKeyStore inner) : IApiKeyStore
{
    private int _finds;
    private int _lastUsedBatches;

    public int Finds => Volatile.Read(ref _finds);
    public int LastUsedBatches => Volatile.Read(ref _lastUsedBatches);
    public List<IReadOnlyList<KeyValuePair<string, DateTimeOffset>>> Batches { get; } = [];

    public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _finds);
        return inner.FindAsync(id, cancellationToken);
    }

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default) => inner.ListAsync(consumerId, cancellationToken);

    public Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default) => inner.CreateAsync(record, cancellationToken);

    public Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default) => inner.UpdateAsync(record, cancellationToken);

    public Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lastUsedBatches);
        lock (Batches) Batches.Add(usage.ToList());
        return inner.UpdateLastUsedAsync(usage, cancellationToken);
    }
}
