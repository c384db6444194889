using System.Security.Claims;

namespace Sightline.ApiKeys;

/// <summary>Claims on a principal authenticated by an API key.</summary>
public static class ApiKeyClaimTypes
{
    /// <summary>The key id (non-secret).</summary>
    public const string KeyId = "sightline:apikey:id";

    /// <summary>The key's name.</summary>
    public const string KeyName = "sightline:apikey:name";

    /// <summary>One claim per granted scope.</summary>
    public const string Scope = "scope";

    /// <summary>The consumer's identifier (<see cref="ClaimTypes.NameIdentifier"/>): the key's consumer id, else its display prefix.</summary>
    public const string ConsumerId = ClaimTypes.NameIdentifier;

    /// <summary>The consumer's name (<see cref="ClaimTypes.Name"/>): the consumer name, else the key name.</summary>
    public const string ConsumerName = ClaimTypes.Name;

    /// <summary>The consumer's group.</summary>
    public const string ConsumerGroup = "sightline:consumer:group";
}
