using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Sightline.ApiKeys;

/// <summary>
/// A read-only store of key hashes kept in configuration (e.g. appsettings.json or environment variables), by
/// default section <c>Sightline:ApiKeys:Keys</c>: a list of objects with <c>Id</c>, <c>Prefix</c>, <c>Hash</c>
/// (base64), <c>PepperVersion</c>, <c>Name</c>, <c>ConsumerId</c>, <c>ConsumerName</c>, <c>ConsumerGroup</c>,
/// <c>Scopes</c>, <c>AllowedNetworks</c>, <c>CreatedAt</c>, <c>ExpiresAt</c>, <c>RevokedAt</c>, <c>RateLimit</c>
/// (<c>PermitLimit</c>, <c>Window</c>) and <c>ReplacedBy</c>. <c>sightline keys create --store config</c> prints
/// such an entry. Reloads when the configuration changes. Last-used times are kept in memory only.
/// </summary>
public sealed class ConfigurationApiKeyStore : IApiKeyStore, IDisposable
{
    /// <summary>The default configuration section.</summary>
    public const string DefaultSection = "Sightline:ApiKeys:Keys";

    private readonly IConfigurationSection _section;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsed = new(StringComparer.Ordinal);
    private readonly IDisposable _reload;
    private volatile Dictionary<string, ApiKeyRecord> _keys;

    /// <summary>Reads keys from <paramref name="section"/>.</summary>
    /// <exception cref="InvalidOperationException">An entry is invalid; the message names it.</exception>
    public ConfigurationApiKeyStore(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        _section = section;
        _keys = Load(section);
        _reload = ChangeToken.OnChange(section.GetReloadToken, () =>
        {
            try { _keys = Load(_section); }
            catch (InvalidOperationException) { /* keep the last valid set; the error surfaces at next start */ }
        });
    }

    /// <summary>Reads keys from <see cref="DefaultSection"/> of <paramref name="configuration"/>.</summary>
    public ConfigurationApiKeyStore(IConfiguration configuration) : this(configuration.GetSection(DefaultSection))
    {
    }

    /// <inheritdoc />
    public ValueTask<ApiKeyRecord?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(_keys.TryGetValue(id, out var record) ? WithLastUsed(record) : null);

    /// <inheritdoc />
    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? consumerId = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ApiKeyRecord> list = _keys.Values
            .Where(k => consumerId is null || string.Equals(k.ConsumerId, consumerId, StringComparison.Ordinal))
            .OrderBy(k => k.CreatedAt).ThenBy(k => k.Id, StringComparer.Ordinal)
            .Select(WithLastUsed).ToList();
        return Task.FromResult(list);
    }

    /// <inheritdoc />
    public Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default) => throw ReadOnly();

    /// <inheritdoc />
    public Task<bool> UpdateAsync(ApiKeyRecord record, CancellationToken cancellationToken = default) => throw ReadOnly();

    /// <inheritdoc />
    public Task UpdateLastUsedAsync(IReadOnlyList<KeyValuePair<string, DateTimeOffset>> usage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usage);
        foreach (var (id, at) in usage)
        {
            if (!_keys.ContainsKey(id)) continue;
            _lastUsed.AddOrUpdate(id, at, (_, old) => at > old ? at : old);
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _reload.Dispose();

    private ApiKeyRecord WithLastUsed(ApiKeyRecord record)
    {
        var copy = record.Clone();
        if (_lastUsed.TryGetValue(record.Id, out var at)) copy.LastUsedAt = at;
        return copy;
    }

    private static NotSupportedException ReadOnly() =>
        new("The configuration API-key store is read-only: add, change or revoke keys by editing configuration (see 'sightline keys create --store config').");

    private static Dictionary<string, ApiKeyRecord> Load(IConfigurationSection section)
    {
        var keys = new Dictionary<string, ApiKeyRecord>(StringComparer.Ordinal);
        foreach (var entry in section.GetChildren())
        {
            var where = entry.Path;
            var id = entry["Id"];
            if (string.IsNullOrEmpty(id)) throw new InvalidOperationException($"{where}:Id is missing.");
            byte[] hash;
            try { hash = Convert.FromBase64String(entry["Hash"] ?? ""); }
            catch (FormatException) { throw new InvalidOperationException($"{where}:Hash is not base64."); }
            if (hash.Length != ApiKeyHasher.HashLength) throw new InvalidOperationException($"{where}:Hash must be {ApiKeyHasher.HashLength} bytes (base64 of a SHA-256 / HMAC-SHA-256 hash).");
            var record = new ApiKeyRecord
            {
                Id = id,
                Prefix = entry["Prefix"] ?? ApiKeyFormat.DefaultPrefix,
                Hash = hash,
                PepperVersion = Int(entry, "PepperVersion") ?? 0,
                Name = entry["Name"] ?? id,
                ConsumerId = entry["ConsumerId"],
                ConsumerName = entry["ConsumerName"],
                ConsumerGroup = entry["ConsumerGroup"],
                Scopes = Strings(entry.GetSection("Scopes")),
                AllowedNetworks = Strings(entry.GetSection("AllowedNetworks")),
                CreatedAt = Time(entry, "CreatedAt") ?? DateTimeOffset.UnixEpoch,
                ExpiresAt = Time(entry, "ExpiresAt"),
                RevokedAt = Time(entry, "RevokedAt"),
                ReplacedBy = entry["ReplacedBy"],
            };
            var rate = entry.GetSection("RateLimit");
            if (rate.Exists())
            {
                var permits = Int(rate, "PermitLimit") ?? throw new InvalidOperationException($"{rate.Path}:PermitLimit is missing.");
                if (!TimeSpan.TryParse(rate["Window"], CultureInfo.InvariantCulture, out var window))
                    throw new InvalidOperationException($"{rate.Path}:Window is missing or not a time span (e.g. 00:01:00).");
                record.RateLimit = new ApiKeyRateLimit(permits, window);
                try { record.RateLimit.Validate(); }
                catch (ArgumentException e) { throw new InvalidOperationException($"{rate.Path}: {e.Message}"); }
            }
            foreach (var network in record.AllowedNetworks)
            {
                if (!Internal.IpAllowList.TryParseNetwork(network, out _, out var error))
                    throw new InvalidOperationException($"{where}:AllowedNetworks: {error}");
            }
            if (!keys.TryAdd(id, record)) throw new InvalidOperationException($"{where}:Id '{id}' appears twice.");
        }
        return keys;
    }

    private static string[] Strings(IConfigurationSection section) =>
        section.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).ToArray();

    private static int? Int(IConfigurationSection section, string name)
    {
        var text = section[name];
        if (string.IsNullOrEmpty(text)) return null;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidOperationException($"{section.Path}:{name} is not an integer.");
    }

    private static DateTimeOffset? Time(IConfigurationSection section, string name)
    {
        var text = section[name];
        if (string.IsNullOrEmpty(text)) return null;
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value.ToUniversalTime()
            : throw new InvalidOperationException($"{section.Path}:{name} is not a date-time (ISO 8601, e.g. 2026-12-31T00:00:00Z).");
    }
}
