using Microsoft.AspNetCore.Authentication;

namespace Sightline.ApiKeys;

/// <summary>
/// Options of one API-key authentication scheme. Bound from configuration section <c>Sightline:ApiKeys</c>, then
/// the code passed to <c>AddApiKey</c> (code wins). Validated at start-up.
/// </summary>
public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    private ApiKeyFormat? _format;

    /// <summary>The typed prefix keys of this scheme carry, e.g. <c>sl_live</c> or <c>sl_ingest</c>. Default: <c>sl_live</c>.</summary>
    public string KeyPrefix { get; set; } = ApiKeyFormat.DefaultPrefix;

    /// <summary>The header the key is read from. Default: <c>X-Api-Key</c>.</summary>
    public string HeaderName { get; set; } = ApiKeyDefaults.HeaderName;

    /// <summary>Also accept <c>Authorization: Bearer &lt;key&gt;</c> and <c>Authorization: ApiKey &lt;key&gt;</c>. Default: true.</summary>
    public bool AllowAuthorizationHeader { get; set; } = true;

    /// <summary>
    /// Accept the key from the query string parameter <see cref="QueryParameterName"/>. Default: false. Privacy: URLs
    /// are logged by proxies and kept in browser history, so a warning is logged at start-up when this is on.
    /// </summary>
    public bool AllowQueryString { get; set; }

    /// <summary>The query string parameter used when <see cref="AllowQueryString"/> is on. Default: <c>api_key</c>.</summary>
    public string QueryParameterName { get; set; } = "api_key";

    /// <summary>
    /// How long a validated key (or an unknown id) is cached in memory. This bounds how long a revocation, expiry or
    /// other change made on another instance (or directly in the store) takes to apply here; changes through
    /// <see cref="IApiKeyManager"/> apply at once on the instance that made them. Default: 30 seconds.
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The realm in the <c>WWW-Authenticate</c> challenge. Default: <c>api</c>.</summary>
    public string Realm { get; set; } = "api";

    internal ApiKeyFormat Format
    {
        get
        {
            var format = _format;
            if (format is null || !string.Equals(format.Prefix, KeyPrefix, StringComparison.Ordinal)) _format = format = new ApiKeyFormat(KeyPrefix);
            return format;
        }
    }

    /// <summary>Null when the options are usable, else what is wrong, naming the option.</summary>
    internal string? Problem()
    {
        try { _ = Format; }
        catch (ArgumentException e) { return "Sightline:ApiKeys:KeyPrefix: " + e.Message; }
        if (string.IsNullOrWhiteSpace(HeaderName)) return "Sightline:ApiKeys:HeaderName must not be empty.";
        if (AllowQueryString && string.IsNullOrWhiteSpace(QueryParameterName)) return "Sightline:ApiKeys:QueryParameterName must not be empty when AllowQueryString is on.";
        if (CacheDuration < TimeSpan.Zero || CacheDuration > TimeSpan.FromHours(1)) return $"Sightline:ApiKeys:CacheDuration must be between 0 and 1 hour (was {CacheDuration}); it bounds how long a revocation takes to apply.";
        if (Realm.Contains('"')) return "Sightline:ApiKeys:Realm must not contain quotes.";
        return null;
    }
}
