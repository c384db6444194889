using Sightline.ApiKeys.Internal;
using Sightline.Protocol.Wire;

namespace Sightline.ApiKeys;

/// <summary>
/// The default <see cref="IApiKeyManager"/>. Registered by <c>AddApiKey</c>; can also be constructed directly (the
/// <c>sightline</c> command-line tool does). Changes apply at once on this instance's validation cache; other
/// instances see them within their <see cref="ApiKeyAuthenticationOptions.CacheDuration"/>.
/// </summary>
public sealed class ApiKeyManager : IApiKeyManager
{
    private readonly IApiKeyStore _store;
    private readonly ApiKeyHasher _hasher;
    private readonly ApiKeyFormat _format;
    private readonly TimeProvider _timeProvider;
    private readonly ApiKeyCache? _cache;

    /// <summary>Creates a manager issuing keys of <paramref name="format"/> (default <c>sl_live</c>) hashed by <paramref name="hasher"/> (default: unpeppered).</summary>
    public ApiKeyManager(IApiKeyStore store, ApiKeyHasher? hasher = null, ApiKeyFormat? format = null, TimeProvider? timeProvider = null)
        : this(store, hasher ?? ApiKeyHasher.Unpeppered, format ?? ApiKeyFormat.Default, timeProvider ?? TimeProvider.System, null)
    {
    }

    internal ApiKeyManager(IApiKeyStore store, ApiKeyHasher hasher, ApiKeyFormat format, TimeProvider timeProvider, ApiKeyCache? cache)
    {
        ArgumentNullException.ThrowIfNull(store);
        _store = store;
        _hasher = hasher;
        _format = format;
        _timeProvider = timeProvider;
        _cache = cache;
    }

    /// <inheritdoc />
    public async Task<ApiKeyCreated> CreateAsync(ApiKeyCreateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.Name)) throw new ArgumentException("A key needs a name.", nameof(request));
        if (request.ConsumerId is { Length: > WireConstants.MaxConsumerIdentifierLength })
            throw new ArgumentException($"ConsumerId must be at most {WireConstants.MaxConsumerIdentifierLength} characters.", nameof(request));
        var format = request.Prefix is null || request.Prefix == _format.Prefix ? _format : new ApiKeyFormat(request.Prefix);
        var scopes = CheckScopes(request.Scopes);
        var networks = CheckNetworks(request.AllowedNetworks);
        request.RateLimit?.Validate();
        var key = format.Generate();
        format.TryParse(key, out var id);
        var record = new ApiKeyRecord
        {
            Id = id.ToString(),
            Prefix = format.Prefix,
            Hash = _hasher.Hash(key),
            PepperVersion = _hasher.CurrentVersion,
            Name = request.Name.Trim(),
            ConsumerId = request.ConsumerId,
            ConsumerName = request.ConsumerName,
            ConsumerGroup = request.ConsumerGroup,
            Scopes = scopes,
            AllowedNetworks = networks,
            CreatedAt = Now(),
            ExpiresAt = request.ExpiresAt is { } expiresAt ? Millis(expiresAt) : null,
            RateLimit = request.RateLimit,
        };
        await _store.CreateAsync(record, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(record.Id);
        return new ApiKeyCreated(key, record);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default) =>
        _store.ListAsync(consumerId, cancellationToken);

    /// <inheritdoc />
    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken cancellationToken = default) =>
        await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<ApiKeyCreated?> RotateAsync(string id, TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        if (gracePeriod < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(gracePeriod), "The grace period must not be negative.");
        var old = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        var now = Now();
        if (old is null || old.IsRevoked || old.ExpiresAt <= now) return null;
        var created = await CreateAsync(new ApiKeyCreateRequest
        {
            Name = old.Name,
            Prefix = old.Prefix,
            ConsumerId = old.ConsumerId,
            ConsumerName = old.ConsumerName,
            ConsumerGroup = old.ConsumerGroup,
            Scopes = old.Scopes,
            AllowedNetworks = old.AllowedNetworks,
            ExpiresAt = old.ExpiresAt,
            RateLimit = old.RateLimit,
        }, cancellationToken).ConfigureAwait(false);
        var graceEnd = now + gracePeriod;
        old.ExpiresAt = old.ExpiresAt is { } existing && existing < graceEnd ? existing : graceEnd;
        old.ReplacedBy = created.Record.Id;
        await _store.UpdateAsync(old, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(id);
        return created;
    }

    /// <inheritdoc />
    public async Task<bool> RevokeAsync(string id, CancellationToken cancellationToken = default)
    {
        var record = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null) return false;
        record.RevokedAt ??= Now();
        var updated = await _store.UpdateAsync(record, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(id);
        return updated;
    }

    /// <inheritdoc />
    public async Task<ApiKeyRecord?> UpdateAsync(string id, ApiKeyUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update);
        var record = await _store.FindAsync(id, cancellationToken).ConfigureAwait(false);
        if (record is null) return null;
        if (update.Name is not null)
        {
            if (string.IsNullOrWhiteSpace(update.Name)) throw new ArgumentException("A key needs a name.", nameof(update));
            record.Name = update.Name.Trim();
        }
        if (update.Scopes is not null) record.Scopes = CheckScopes(update.Scopes);
        if (update.AllowedNetworks is not null) record.AllowedNetworks = CheckNetworks(update.AllowedNetworks);
        if (update.ClearExpiry) record.ExpiresAt = null;
        else if (update.ExpiresAt is { } expires) record.ExpiresAt = Millis(expires);
        if (update.ClearRateLimit) record.RateLimit = null;
        else if (update.RateLimit is { } limit)
        {
            limit.Validate();
            record.RateLimit = limit;
        }
        var updated = await _store.UpdateAsync(record, cancellationToken).ConfigureAwait(false);
        _cache?.Invalidate(id);
        return updated ? record : null;
    }

    private DateTimeOffset Now() => Millis(_timeProvider.GetUtcNow());

    // Stores keep millisecond precision: use it everywhere, so what is returned equals what is read back.
    private static DateTimeOffset Millis(DateTimeOffset time) =>
        new(time.UtcTicks - (time.UtcTicks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);

    private static string[] CheckScopes(string[] scopes)
    {
        foreach (var scope in scopes)
        {
            if (string.IsNullOrWhiteSpace(scope) || scope.Any(char.IsWhiteSpace))
                throw new ArgumentException($"Scope '{scope}' is invalid: scopes are non-empty and contain no spaces (e.g. orders:write).", nameof(scopes));
        }
        return scopes.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string[] CheckNetworks(string[] networks)
    {
        var result = new string[networks.Length];
        for (var i = 0; i < networks.Length; i++)
        {
            if (!IpAllowList.TryParseNetwork(networks[i], out var network, out var error)) throw new ArgumentException(error, nameof(networks));
            result[i] = network.ToString();
        }
        return result;
    }
}
