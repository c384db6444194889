using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys;

/// <summary>The outcome of <see cref="ApiKeyVerifier.VerifyAsync"/>: success, or a reason code from <see cref="ApiKeyFailureReasons"/>.</summary>
public readonly struct ApiKeyVerification
{
    private readonly ValidatedKey? _key;

    internal ApiKeyVerification(ApiKeyCheck check)
    {
        _key = check.Key;
        Reason = check.Reason;
        KeyId = check.KeyId;
    }

    /// <summary>True when the key is genuine, not revoked, not expired and allowed from the client's address.</summary>
    public bool Succeeded => Reason is null;

    /// <summary>Null on success, else an <see cref="ApiKeyFailureReasons"/> code (<c>malformed</c>, <c>invalid</c>, <c>revoked</c>, …).</summary>
    public string? Reason { get; }

    /// <summary>The non-secret key id when the key was well-formed; null for a malformed key.</summary>
    public string? KeyId { get; }

    /// <summary>The key's consumer id (<see cref="ApiKeyRecord.ConsumerId"/>) on success, else null.</summary>
    public string? ConsumerId => _key?.Record.ConsumerId;

    /// <summary>True when the key succeeded and was granted <paramref name="scope"/>.</summary>
    public bool HasScope(string scope) => _key is not null && _key.HasScope(scope);
}
