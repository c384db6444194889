namespace Sightline.ApiKeys;

/// <summary>
/// Settings shared by every API-key scheme, the manager and the background last-used writer. Bound from
/// configuration section <c>Sightline:ApiKeys</c>; code (<c>services.Configure&lt;ApiKeyOptions&gt;</c>) wins.
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>The configuration section these options (and <c>ApiKeyAuthenticationOptions</c>) bind from.</summary>
    public const string Section = "Sightline:ApiKeys";

    /// <summary>
    /// Server-side peppers by version (version ≥ 1; each at least 16 characters, ideally 32+ random characters kept
    /// out of source control, e.g. in an environment variable <c>Sightline__ApiKeys__Peppers__1</c>). Keys are hashed
    /// with HMAC-SHA-256 keyed by the current pepper; each key remembers the version it was hashed with, so keep old
    /// versions configured until every key hashed with them is rotated. Default: none, which hashes with plain
    /// SHA-256 (version 0) — still safe for 142-bit random keys, but a leaked database then suffices to check guesses.
    /// </summary>
    public Dictionary<int, string> Peppers { get; set; } = [];

    /// <summary>The pepper version new keys are hashed with. Default: the highest configured version, or 0 (plain SHA-256) when none.</summary>
    public int? CurrentPepperVersion { get; set; }

    /// <summary>How often last-used times are written to the store, in one batch. Default: 10 seconds.</summary>
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most keys (known and unknown ids) held in the validation cache; past it the cache starts over. Default: 100,000.</summary>
    public int MaxCachedKeys { get; set; } = 100_000;
}
