namespace Sightline.ApiKeys;

/// <summary>
/// A stored API key: its hash and metadata, never the key itself. Stores hand out copies; changing one does not
/// change the store until it is passed to <see cref="IApiKeyStore.UpdateAsync"/>.
/// </summary>
public sealed class ApiKeyRecord
{
    /// <summary>The non-secret key id (the <c>id</c> part of the key).</summary>
    public string Id { get; set; } = "";

    /// <summary>The key's typed prefix, e.g. <c>sl_live</c>; a key only authenticates where this prefix is expected.</summary>
    public string Prefix { get; set; } = ApiKeyFormat.DefaultPrefix;

    /// <summary>The non-secret display prefix, <c>&lt;prefix&gt;_&lt;id&gt;</c>, to recognise a key in lists and logs.</summary>
    public string DisplayPrefix => Prefix + "_" + Id;

    /// <summary>The key's hash (<see cref="ApiKeyHasher"/>).</summary>
    public byte[] Hash { get; set; } = [];

    /// <summary>The pepper version the hash was made with (0: plain SHA-256).</summary>
    public int PepperVersion { get; set; }

    /// <summary>A human-readable name, e.g. <c>billing service (prod)</c>.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// Identifier of the key's owner, the consumer it authenticates (e.g. a customer id, or a project id for the
    /// Sightline server's ingest keys). At most 128 characters. Fed to monitoring as the consumer.
    /// </summary>
    public string? ConsumerId { get; set; }

    /// <summary>The consumer's display name.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>The consumer's group, e.g. a tier or tenant.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Scopes granted (e.g. <c>orders:write</c>); checked with <c>RequireScope</c>.</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>Networks the key may be used from, in CIDR notation (IPv4 or IPv6; a bare address means /32 or /128). Empty: any.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>When the key was created (UTC).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When the key stops working, if ever. Rotation sets it to the end of the grace period.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When the key was last used (written in batches, so up to the flush interval behind).</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>When the key was revoked; a revoked key never authenticates again.</summary>
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>True when <see cref="RevokedAt"/> is set.</summary>
    public bool IsRevoked => RevokedAt is not null;

    /// <summary>The key's rate limit; null: unlimited.</summary>
    public ApiKeyRateLimit? RateLimit { get; set; }

    /// <summary>When the key was rotated, the id of the key that replaced it.</summary>
    public string? ReplacedBy { get; set; }

    /// <summary>A deep copy.</summary>
    public ApiKeyRecord Clone()
    {
        var copy = (ApiKeyRecord)MemberwiseClone();
        copy.Hash = (byte[])Hash.Clone();
        copy.Scopes = (string[])Scopes.Clone();
        copy.AllowedNetworks = (string[])AllowedNetworks.Clone();
        copy.RateLimit = RateLimit is null ? null : new ApiKeyRateLimit(RateLimit.PermitLimit, RateLimit.Window);
        return copy;
    }
}
