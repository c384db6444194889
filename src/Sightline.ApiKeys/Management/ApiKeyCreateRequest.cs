namespace Sightline.ApiKeys;

/// <summary>What a new key is for.</summary>
public sealed class ApiKeyCreateRequest
{
    /// <summary>A human-readable name. Required.</summary>
    public string Name { get; set; } = "";

    /// <summary>The typed prefix; default (null): the manager's prefix (the scheme's <c>KeyPrefix</c>, <c>sl_live</c> unless changed).</summary>
    public string? Prefix { get; set; }

    /// <summary>The owner/consumer identifier (≤ 128 characters), e.g. a customer or project id.</summary>
    public string? ConsumerId { get; set; }

    /// <summary>The consumer's display name.</summary>
    public string? ConsumerName { get; set; }

    /// <summary>The consumer's group.</summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>Scopes to grant.</summary>
    public string[] Scopes { get; set; } = [];

    /// <summary>Networks (CIDR) the key may be used from; empty: any.</summary>
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>When the key stops working; null: never.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Per-key rate limit; null: unlimited.</summary>
    public ApiKeyRateLimit? RateLimit { get; set; }
}
