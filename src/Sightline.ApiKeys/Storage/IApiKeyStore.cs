namespace Sightline.ApiKeys;

/// <summary>
/// Where keys (their hashes and metadata) live. Implementations: <see cref="InMemoryApiKeyStore"/>,
/// <see cref="ConfigurationApiKeyStore"/> (read-only), and the SQLite and PostgreSQL stores in their own packages.
/// All pass the same contract tests. Implementations must be thread-safe and return copies.
/// </summary>
public interface IApiKeyStore
{
    /// <summary>The key with <paramref name="id"/>, or null.</summary>
    ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>All keys (revoked included), oldest first; only those of <paramref name="consumerId"/> when given.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default);

    /// <summary>Adds a key.</summary>
    /// <exception cref="InvalidOperationException">A key with that id exists.</exception>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default);

    /// <summary>Replaces a key's metadata (name, consumer, scopes, networks, expiry, revocation, rate limit, replaced-by). Not its hash, id or creation time.</summary>
    /// <returns>False when no key has that id.</returns>
    /// <exception cref="NotSupportedException">The store is read-only.</exception>
    Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records last use for a batch of keys. A stored time is only ever moved forward (concurrent writers from several
    /// instances cannot move it back). Unknown ids are ignored.
    /// </summary>
    Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default);
}
