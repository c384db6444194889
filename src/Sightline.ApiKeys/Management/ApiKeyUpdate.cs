namespace Sightline.ApiKeys;

/// <summary>Changes to a key's metadata; null members are left as they are.</summary>
public sealed class ApiKeyUpdate
{
    /// <summary>New name.</summary>
    public string? Name { get; set; }

    /// <summary>New scopes (replacing the old ones).</summary>
    public string[]? Scopes { get; set; }

    /// <summary>New allowed networks (replacing the old ones); an empty array allows any address.</summary>
    public string[]? AllowedNetworks { get; set; }

    /// <summary>New expiry.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Remove the expiry (the key never expires). Wins over <see cref="ExpiresAt"/>.</summary>
    public bool ClearExpiry { get; set; }

    /// <summary>New rate limit.</summary>
    public ApiKeyRateLimit? RateLimit { get; set; }

    /// <summary>Remove the rate limit. Wins over <see cref="RateLimit"/>.</summary>
    public bool ClearRateLimit { get; set; }
}
