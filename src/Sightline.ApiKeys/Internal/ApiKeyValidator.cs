using System.Net;

namespace Sightline.ApiKeys.Internal;

/// <summary>
/// Validates presented keys in the documented order: format and checksum → lookup by id (cached) → constant-time
/// hash comparison → revoked → expired → IP allowlist. (Rate limits come last, after authorization; see
/// <see cref="ApiKeyAuthorizationResultHandler"/>.) A cached valid key is checked without allocating.
/// </summary>
internal sealed class ApiKeyValidator(IApiKeyStore store, ApiKeyHasher hasher, ApiKeyCache cache, TimeProvider timeProvider)
{
    /// <summary>
    /// Decides without the store when it can: a malformed key, or an id in the cache. False when the store must be asked
    /// (<see cref="ValidateAsync"/>). Lets the caller skip obtaining a cancellation token on the hot path.
    /// </summary>
    public bool TryValidateCached(string key, ApiKeyFormat format, IPAddress? client, out ApiKeyCheck check, out long nowTicks)
    {
        nowTicks = 0;
        if (!format.TryParse(key, out var id))
        {
            check = ApiKeyCheck.Fail(ApiKeyFailureReasons.Malformed, null);
            return true;
        }
        nowTicks = timeProvider.GetUtcNow().UtcTicks;
        if (cache.TryGet(id, nowTicks, out var cached))
        {
            check = Check(cached, key, format, client, nowTicks, id);
            return true;
        }
        check = default;
        return false;
    }

    public ValueTask<ApiKeyCheck> ValidateAsync(string key, ApiKeyFormat format, IPAddress? client, TimeSpan cacheDuration, CancellationToken cancellationToken)
    {
        if (!format.TryParse(key, out var id)) return new(ApiKeyCheck.Fail(ApiKeyFailureReasons.Malformed, null));
        var now = timeProvider.GetUtcNow().UtcTicks;
        if (cache.TryGet(id, now, out var cached)) return new(Check(cached, key, format, client, now, id));
        return LoadAndCheckAsync(key, id.ToString(), format, client, cacheDuration, cancellationToken);
    }

    private async ValueTask<ApiKeyCheck> LoadAndCheckAsync(string key, string id, ApiKeyFormat format, IPAddress? client, TimeSpan cacheDuration, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        var validated = record is null ? null : new ValidatedKey(record);
        var now = timeProvider.GetUtcNow().UtcTicks;
        cache.Set(id, validated, now + cacheDuration.Ticks);
        return Check(validated, key, format, client, now, id);
    }

    private ApiKeyCheck Check(ValidatedKey? validated, string key, ApiKeyFormat format, IPAddress? client, long now, ReadOnlySpan<char> id)
    {
        // Unknown id, other key type and wrong secret all answer "invalid": a caller cannot tell whether an id exists.
        if (validated is null
            || !string.Equals(validated.Record.Prefix, format.Prefix, StringComparison.Ordinal)
            || !hasher.Verify(key, validated.Record.Hash, validated.Record.PepperVersion))
        {
            return ApiKeyCheck.Fail(ApiKeyFailureReasons.Invalid, id.ToString());
        }
        if (validated.Record.IsRevoked) return ApiKeyCheck.Fail(ApiKeyFailureReasons.Revoked, validated.Record.Id);
        if (validated.ExpiresAtTicks <= now) return ApiKeyCheck.Fail(ApiKeyFailureReasons.Expired, validated.Record.Id);
        if (!validated.IsAllowed(client)) return ApiKeyCheck.Fail(ApiKeyFailureReasons.IpNotAllowed, validated.Record.Id);
        return ApiKeyCheck.Success(validated);
    }
}
