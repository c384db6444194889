namespace Sightline.ApiKeys;

/// <summary>
/// Options of the light API-key path, <c>app.UseApiKeys(o => …)</c>. Everything about keys (prefix, header, cache,
/// store, peppers) comes from the <c>AddApiKey</c> scheme named by <see cref="Scheme"/>.
/// </summary>
public sealed class ApiKeyMiddlewareOptions
{
    /// <summary>The <c>AddApiKey</c> scheme whose options (key prefix, header, cache duration, realm) are used. Default: <c>ApiKey</c>.</summary>
    public string Scheme { get; set; } = ApiKeyDefaults.AuthenticationScheme;

    /// <summary>
    /// Require a key on every endpoint (and on requests that match no endpoint) except those marked
    /// <c>[AllowAnonymous]</c> / <c>AllowAnonymous()</c>: the light path's equivalent of a fallback policy. Default: false,
    /// which requires a key only on endpoints with <c>RequireApiKey()</c> / <c>[RequireApiKey]</c> or
    /// <c>RequireScope(…)</c> / <c>[RequireScope]</c> metadata.
    /// </summary>
    public bool RequireByDefault { get; set; }
}
