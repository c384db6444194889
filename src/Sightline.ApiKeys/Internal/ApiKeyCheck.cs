namespace Sightline.ApiKeys.Internal;

/// <summary>The outcome of validating a presented key: success (<see cref="Key"/>) or a reason code.</summary>
internal readonly struct ApiKeyCheck
{
    private ApiKeyCheck(ValidatedKey? key, string? reason, string? keyId)
    {
        Key = key;
        Reason = reason;
        KeyId = keyId;
    }

    public ValidatedKey? Key { get; }

    /// <summary>Null on success, else an <see cref="ApiKeyFailureReasons"/> code.</summary>
    public string? Reason { get; }

    /// <summary>The non-secret key id when the key was well-formed.</summary>
    public string? KeyId { get; }

    public bool Succeeded => Reason is null;

    public static ApiKeyCheck Success(ValidatedKey key) => new(key, null, key.Record.Id);

    public static ApiKeyCheck Fail(string reason, string? keyId) => new(null, reason, keyId);
}
