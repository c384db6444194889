using System.Net;
using Microsoft.Extensions.Options;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys;

/// <summary>
/// Validates presented keys of one format outside ASP.NET Core authentication — e.g. a collector that reads the key
/// itself — through the same path as the authentication handler: format and CRC-32 checked before any lookup, lookup
/// by id through a cache, constant-time hash comparison, then revoked, expired and IP allowlist. A cached entry lives
/// for the cache duration, which bounds how long a change made by another process (revocation, rotation) takes to
/// apply; a change made through <see cref="Manager"/> applies here at once. Successful uses are collected in memory and
/// written to the store in one batch by <see cref="FlushLastUsedAsync"/>.
/// </summary>
public sealed class ApiKeyVerifier
{
    private readonly ApiKeyValidator _validator;
    private readonly LastUsedTracker _lastUsed = new();
    private readonly IApiKeyStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _cacheDuration;

    /// <summary>Creates a verifier (and a <see cref="Manager"/> sharing its cache) over <paramref name="store"/>.</summary>
    /// <param name="store">Where the keys live.</param>
    /// <param name="format">The format keys must have (e.g. <c>new ApiKeyFormat("sl_ingest")</c>); also the format <see cref="Manager"/> issues.</param>
    /// <param name="hasher">The hasher keys were stored with. Default: unpeppered SHA-256.</param>
    /// <param name="cacheDuration">How long a looked-up key (or unknown id) is cached. Default: 30 seconds; between 0 and 1 hour.</param>
    /// <param name="maxCachedKeys">Most ids held in the cache; past it the cache starts over. Default: 100,000.</param>
    /// <param name="timeProvider">The clock. Default: <see cref="TimeProvider.System"/>.</param>
    public ApiKeyVerifier(IApiKeyStore store, ApiKeyFormat format, ApiKeyHasher? hasher = null, TimeSpan? cacheDuration = null, int maxCachedKeys = 100_000, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(format);
        var duration = cacheDuration ?? TimeSpan.FromSeconds(30);
        if (duration < TimeSpan.Zero || duration > TimeSpan.FromHours(1))
            throw new ArgumentOutOfRangeException(nameof(cacheDuration), duration, "The cache duration must be between 0 and 1 hour; it bounds how long a revocation takes to apply.");
        _store = store;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _cacheDuration = duration;
        Format = format;
        hasher ??= ApiKeyHasher.Unpeppered;
        var cache = new ApiKeyCache(Options.Create(new ApiKeyOptions { MaxCachedKeys = maxCachedKeys }));
        _validator = new ApiKeyValidator(store, hasher, cache, _timeProvider);
        Manager = new ApiKeyManager(store, hasher, format, _timeProvider, cache);
    }

    /// <summary>The format presented keys must have.</summary>
    public ApiKeyFormat Format { get; }

    /// <summary>A manager issuing keys of <see cref="Format"/> whose changes invalidate this verifier's cache at once.</summary>
    public IApiKeyManager Manager { get; }

    /// <summary>Validates <paramref name="key"/>. A malformed key (wrong shape, prefix or checksum) is refused without a store lookup.</summary>
    /// <param name="key">The presented key.</param>
    /// <param name="client">The client's address, for keys with an IP allowlist; null: unknown (refused by a key with an allowlist).</param>
    /// <param name="cancellationToken">Cancels the store lookup.</param>
    public ValueTask<ApiKeyVerification> VerifyAsync(string? key, IPAddress? client = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key)) return new(new ApiKeyVerification(ApiKeyCheck.Fail(ApiKeyFailureReasons.Missing, null)));
        var pending = _validator.ValidateAsync(key, Format, client, _cacheDuration, cancellationToken);
        return pending.IsCompletedSuccessfully ? new(Complete(pending.Result)) : AwaitAsync(pending);
    }

    /// <summary>Writes the last-used times collected since the previous flush to the store, in one batch. Kept for the next flush when the write fails.</summary>
    public async Task FlushLastUsedAsync(CancellationToken cancellationToken = default)
    {
        var batch = _lastUsed.Drain();
        if (batch.Count == 0) return;
        try
        {
            await _store.UpdateLastUsedAsync(batch, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            _lastUsed.Restore(batch);
            throw;
        }
    }

    private async ValueTask<ApiKeyVerification> AwaitAsync(ValueTask<ApiKeyCheck> pending) => Complete(await pending.ConfigureAwait(false));

    private ApiKeyVerification Complete(ApiKeyCheck check)
    {
        if (check.Succeeded) _lastUsed.Touch(check.Key!.Record.Id, _timeProvider.GetUtcNow().UtcTicks);
        return new ApiKeyVerification(check);
    }
}
