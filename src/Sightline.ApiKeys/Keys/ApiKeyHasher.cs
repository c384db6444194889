using System.Security.Cryptography;
using System.Text;

namespace Sightline.ApiKeys;

/// <summary>
/// Hashes keys for storage (HMAC-SHA-256 with a versioned pepper, or SHA-256 when no pepper is configured) and
/// verifies presented keys against stored hashes in constant time. Keys themselves are never stored.
/// </summary>
public sealed class ApiKeyHasher
{
    /// <summary>Length of a hash in bytes.</summary>
    public const int HashLength = 32;

    private const int MinPepperLength = 16;
    private const int MaxKeyLength = 128;
    private readonly Dictionary<int, byte[]> _peppers;

    // One keyed HMAC per thread and pepper, reset after each use: setting up an HMAC key costs about as much as
    // hashing a key, so reusing the keyed state halves the cost of validating a cached key.
    private readonly Dictionary<int, ThreadLocal<IncrementalHash>> _hmacs;

    // The same for plain SHA-256 (version 0): the one-shot SHA256.HashData sets up and frees an OpenSSL digest context
    // (with its error-queue housekeeping) on every call, which costs more than hashing the 51 bytes of a key.
    private static readonly ThreadLocal<IncrementalHash> s_sha256 = new(static () => IncrementalHash.CreateHash(HashAlgorithmName.SHA256));

    /// <summary>Creates a hasher from <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">A pepper is too short, a version is below 1, or the current version is not configured.</exception>
    public ApiKeyHasher(ApiKeyOptions options)
        : this((options ?? throw new ArgumentNullException(nameof(options))).Peppers, options.CurrentPepperVersion,
            ApiKeyOptions.Section + ":Peppers", ApiKeyOptions.Section + ":CurrentPepperVersion")
    {
    }

    /// <summary>
    /// Creates a hasher from peppers by version and the version new keys use (default: the highest, or 0 when there
    /// are none), configured elsewhere than <see cref="ApiKeyOptions"/>: errors name <paramref name="peppersOption"/>
    /// and <paramref name="currentVersionOption"/>, the configuration keys the values came from.
    /// </summary>
    /// <exception cref="ArgumentException">A pepper is too short, a version is below 1, or the current version is not configured.</exception>
    public ApiKeyHasher(IReadOnlyDictionary<int, string> peppers, int? currentVersion, string peppersOption, string currentVersionOption)
    {
        ArgumentNullException.ThrowIfNull(peppers);
        _peppers = [];
        _hmacs = [];
        foreach (var (version, pepper) in peppers)
        {
            if (version < 1)
                throw new ArgumentException($"{peppersOption}: version {version} is invalid; versions start at 1 (0 means no pepper).", nameof(peppers));
            if (string.IsNullOrEmpty(pepper) || pepper.Length < MinPepperLength)
                throw new ArgumentException($"{peppersOption}:{version} is too short; use at least {MinPepperLength} (ideally 32+) random characters.", nameof(peppers));
            var bytes = Encoding.UTF8.GetBytes(pepper);
            _peppers[version] = bytes;
            _hmacs[version] = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, bytes));
        }
        CurrentVersion = currentVersion ?? (_peppers.Count == 0 ? 0 : _peppers.Keys.Max());
        if (CurrentVersion != 0 && !_peppers.ContainsKey(CurrentVersion))
            throw new ArgumentException($"{currentVersionOption} is {CurrentVersion}, but no pepper with that version is configured.", nameof(currentVersion));
    }

    /// <summary>A hasher without pepper (plain SHA-256).</summary>
    public static ApiKeyHasher Unpeppered { get; } = new(new ApiKeyOptions());

    /// <summary>The pepper version <see cref="Hash"/> uses (0: none).</summary>
    public int CurrentVersion { get; }

    /// <summary>True when a pepper with <paramref name="version"/> is configured (0 is always available).</summary>
    public bool HasVersion(int version) => version == 0 || _peppers.ContainsKey(version);

    /// <summary>Hashes <paramref name="key"/> with the current pepper version.</summary>
    public byte[] Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var hash = new byte[HashLength];
        if (!TryHash(key, CurrentVersion, hash)) throw new ArgumentException("The key is too long or not ASCII.", nameof(key));
        return hash;
    }

    /// <summary>
    /// True when <paramref name="key"/> hashes (with pepper <paramref name="pepperVersion"/>) to <paramref name="storedHash"/>.
    /// The comparison is constant-time (<see cref="CryptographicOperations.FixedTimeEquals"/>): it takes the same time
    /// whichever byte differs, so response timing reveals nothing about the stored hash. Allocation-free.
    /// </summary>
    public bool Verify(ReadOnlySpan<char> key, ReadOnlySpan<byte> storedHash, int pepperVersion)
    {
        Span<byte> computed = stackalloc byte[HashLength];
        if (storedHash.Length != HashLength || !TryHash(key, pepperVersion, computed)) return false;
        return CryptographicOperations.FixedTimeEquals(computed, storedHash);
    }

    private bool TryHash(ReadOnlySpan<char> key, int version, Span<byte> destination)
    {
        if (key.Length > MaxKeyLength) return false;
        Span<byte> bytes = stackalloc byte[key.Length];
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] > 0x7F) return false;
            bytes[i] = (byte)key[i];
        }
        if (version == 0)
        {
            var sha256 = s_sha256.Value!;
            sha256.AppendData(bytes);
            return sha256.TryGetHashAndReset(destination, out _);
        }
        if (!_hmacs.TryGetValue(version, out var hmac)) return false;
        var state = hmac.Value!;
        state.AppendData(bytes);
        return state.TryGetHashAndReset(destination, out _);
    }
}
