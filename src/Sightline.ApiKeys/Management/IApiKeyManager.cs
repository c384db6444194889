namespace Sightline.ApiKeys;

/// <summary>Issues and manages keys over an <see cref="IApiKeyStore"/>.</summary>
public interface IApiKeyManager
{
    /// <summary>Issues a key. The full key is in the result and nowhere else.</summary>
    /// <exception cref="ArgumentException">The request is invalid (empty name, bad network, bad rate limit, …); the message says which.</exception>
    Task<ApiKeyCreated> CreateAsync(ApiKeyCreateRequest request, CancellationToken cancellationToken = default);

    /// <summary>All keys, or those of one consumer.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default);

    /// <summary>One key by id, or null.</summary>
    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Issues a new key with the same metadata and sets the old one to expire after <paramref name="gracePeriod"/>
    /// (zero: at once; an earlier existing expiry is kept), so clients can switch over without downtime.
    /// </summary>
    /// <returns>The new key, or null when no usable key has that id.</returns>
    Task<ApiKeyCreated?> RotateAsync(string id, TimeSpan gracePeriod, CancellationToken cancellationToken = default);

    /// <summary>Revokes a key for good.</summary>
    /// <returns>False when no key has that id.</returns>
    Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Changes scopes, networks, expiry, rate limit or name.</summary>
    /// <returns>The updated key, or null when no key has that id.</returns>
    Task<ApiKeyRecord?> UpdateAsync(string id, ApiKeyUpdate update, CancellationToken cancellationToken = default);
}
