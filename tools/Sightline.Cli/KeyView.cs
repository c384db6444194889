using Sightline.ApiKeys;

namespace Sightline.Cli;

/// <summary>What the tool prints about a key (never its hash). <see cref="Key"/> only right after create/rotate.</summary>
internal sealed record KeyView(
    string Id,
    string DisplayPrefix,
    string Name,
    string? ConsumerId,
    string? ConsumerName,
    string? ConsumerGroup,
    string[] Scopes,
    string[] AllowedNetworks,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt,
    bool Revoked,
    RateLimitView? RateLimit,
    string? ReplacedBy,
    string? Key)
{
    public static KeyView From(ApiKeyRecord r, string? key = null) => new(
        r.Id, r.DisplayPrefix, r.Name, r.ConsumerId, r.ConsumerName, r.ConsumerGroup, r.Scopes, r.AllowedNetworks,
        r.CreatedAt, r.ExpiresAt, r.LastUsedAt, r.RevokedAt, r.IsRevoked,
        r.RateLimit is null ? null : new RateLimitView(r.RateLimit.PermitLimit, r.RateLimit.Window.TotalSeconds), r.ReplacedBy, key);
}

internal sealed record RateLimitView(int PermitLimit, double WindowSeconds);
