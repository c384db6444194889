namespace Sightline.ApiKeys;

/// <summary>A per-key rate limit: at most <see cref="PermitLimit"/> requests per fixed <see cref="Window"/>.</summary>
/// <param name="PermitLimit">Requests allowed per window (≥ 1).</param>
/// <param name="Window">The window length (≥ 1 ms).</param>
public sealed record ApiKeyRateLimit(int PermitLimit, TimeSpan Window)
{
    /// <summary>Throws when the limit is not usable, naming the problem.</summary>
    public void Validate()
    {
        if (PermitLimit < 1) throw new ArgumentException($"Rate limit PermitLimit must be at least 1 (was {PermitLimit}).");
        if (Window < TimeSpan.FromMilliseconds(1)) throw new ArgumentException($"Rate limit Window must be at least 1 ms (was {Window}).");
    }
}
