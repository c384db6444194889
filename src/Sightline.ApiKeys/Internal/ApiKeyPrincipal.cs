using System.Security.Claims;

namespace Sightline.ApiKeys.Internal;

/// <summary>The <see cref="ClaimsPrincipal"/> a validated key authenticates as, the same for the handler and <c>UseApiKeys</c>.</summary>
internal static class ApiKeyPrincipal
{
    /// <summary>
    /// A new principal per request: principals and identities are mutable (claims transformation, app code) and a
    /// <see cref="Claim"/> is bound to its identity (<see cref="Claim.Subject"/>), so neither can be shared between
    /// requests. What is shared is every string (from the cached <see cref="ValidatedKey"/>) and the claim order.
    /// </summary>
    public static ClaimsPrincipal Create(ValidatedKey key, string authenticationType)
    {
        // Claims are created with the identity as their subject so ClaimsIdentity does not clone each one.
        var record = key.Record;
        var identity = new ClaimsIdentity(authenticationType, ApiKeyClaimTypes.ConsumerName, ClaimTypes.Role);
        Add(identity, ApiKeyClaimTypes.KeyId, record.Id);
        Add(identity, ApiKeyClaimTypes.KeyName, record.Name);
        Add(identity, ApiKeyClaimTypes.ConsumerId, key.Consumer.Identifier);
        if (key.Consumer.Name is { } name) Add(identity, ApiKeyClaimTypes.ConsumerName, name);
        if (key.Consumer.Group is { } group) Add(identity, ApiKeyClaimTypes.ConsumerGroup, group);
        foreach (var scope in record.Scopes) Add(identity, ApiKeyClaimTypes.Scope, scope);
        return new ClaimsPrincipal(identity);
    }

    private static void Add(ClaimsIdentity identity, string type, string value) =>
        identity.AddClaim(new Claim(type, value, ClaimValueTypes.String, ClaimsIdentity.DefaultIssuer, ClaimsIdentity.DefaultIssuer, identity));
}
