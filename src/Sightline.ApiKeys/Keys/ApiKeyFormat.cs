using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys;

/// <summary>
/// The key format: <c>&lt;prefix&gt;_&lt;id&gt;_&lt;secret&gt;&lt;checksum&gt;</c>, e.g.
/// <c>sl_live_4fJ9kQ2mXa7B_Zr8TqLw0pVn3YcKd6HsEu1Gj0x9Ab2</c>.
/// <list type="bullet">
/// <item><c>prefix</c>: a typed prefix (default <c>sl_live</c>) that secret scanners can match.</item>
/// <item><c>id</c>: <see cref="IdLength"/> base62 characters from a CSPRNG; not secret, the lookup key.</item>
/// <item><c>secret</c>: <see cref="SecretLength"/> base62 characters from a CSPRNG (142.9 bits of entropy).</item>
/// <item><c>checksum</c>: CRC-32 (ISO-HDLC) of everything before it, as <see cref="ChecksumLength"/> base62 digits, so
/// mistyped or truncated keys are rejected without any store lookup.</item>
/// </list>
/// Keys are case-sensitive and always <see cref="KeyLength"/> characters long.
/// </summary>
public sealed partial class ApiKeyFormat
{
    /// <summary>Length of the key id.</summary>
    public const int IdLength = 12;

    /// <summary>Length of the secret part.</summary>
    public const int SecretLength = 24;

    /// <summary>Length of the checksum (62^6 &gt; 2^32).</summary>
    public const int ChecksumLength = 6;

    /// <summary>The default prefix, <c>sl_live</c>.</summary>
    public const string DefaultPrefix = "sl_live";

    private const int MaxPrefixLength = 32;

    /// <summary>Creates a format for keys starting with <paramref name="prefix"/> followed by an underscore.</summary>
    /// <param name="prefix">Lowercase ASCII letters and digits in underscore-separated words, at most 32 characters, e.g. <c>sl_live</c> or <c>sl_ingest</c>.</param>
    /// <exception cref="ArgumentException">The prefix is not of that shape.</exception>
    public ApiKeyFormat(string prefix = DefaultPrefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (prefix.Length > MaxPrefixLength || !PrefixPattern().IsMatch(prefix))
            throw new ArgumentException($"The API-key prefix '{prefix}' is invalid: use lowercase letters and digits in underscore-separated words (e.g. 'sl_live'), at most {MaxPrefixLength} characters.", nameof(prefix));
        Prefix = prefix;
        KeyLength = prefix.Length + 1 + IdLength + 1 + SecretLength + ChecksumLength;
    }

    /// <summary>The shared default format (<c>sl_live</c>).</summary>
    public static ApiKeyFormat Default { get; } = new();

    /// <summary>The typed prefix (without the trailing underscore).</summary>
    public string Prefix { get; }

    /// <summary>Total length of every key of this format.</summary>
    public int KeyLength { get; }

    /// <summary>Generates a new key from <see cref="RandomNumberGenerator"/>. The caller shows it once and stores only its hash.</summary>
    public string Generate() => Generate(RandomNumberGenerator.GetString(Base62.Alphabet, IdLength));

    /// <summary>Generates a new key with a given (random, unique) id; used to keep an id when tests need it.</summary>
    internal string Generate(string id)
    {
        if (id.Length != IdLength) throw new ArgumentException("Wrong id length.", nameof(id));
        return string.Create(KeyLength, (this, id), static (span, state) =>
        {
            var (format, keyId) = state;
            var p = format.Prefix.Length;
            format.Prefix.AsSpan().CopyTo(span);
            span[p] = '_';
            keyId.AsSpan().CopyTo(span[(p + 1)..]);
            span[p + 1 + IdLength] = '_';
            var secret = span.Slice(p + 2 + IdLength, SecretLength);
            RandomNumberGenerator.GetItems(Base62.Alphabet.AsSpan(), secret);
            var body = span[..^ChecksumLength];
            Base62.EncodeFixed(Checksum(body), span[^ChecksumLength..]);
        });
    }

    /// <summary>
    /// Checks shape, prefix, alphabet and checksum without allocating. On success <paramref name="id"/> is the key id
    /// part of <paramref name="key"/>. Does not tell whether the key exists.
    /// </summary>
    public bool TryParse(ReadOnlySpan<char> key, out ReadOnlySpan<char> id)
    {
        id = default;
        var p = Prefix.Length;
        if (key.Length != KeyLength || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[p] != '_' || key[p + 1 + IdLength] != '_')
            return false;
        var rest = key[(p + 1)..];
        for (var i = 0; i < rest.Length; i++)
        {
            if (i == IdLength) continue;
            if (!Base62.IsDigit(rest[i])) return false;
        }
        Span<char> expected = stackalloc char[ChecksumLength];
        Base62.EncodeFixed(Checksum(key[..^ChecksumLength]), expected);
        if (!expected.SequenceEqual(key[^ChecksumLength..])) return false;
        id = rest[..IdLength];
        return true;
    }

    /// <summary>True when <paramref name="key"/> is well-formed for this format (see <see cref="TryParse"/>).</summary>
    public bool IsValid(ReadOnlySpan<char> key) => TryParse(key, out _);

    /// <summary>The non-secret display prefix of a key with id <paramref name="id"/>: <c>&lt;prefix&gt;_&lt;id&gt;</c>.</summary>
    public string DisplayPrefix(string id) => Prefix + "_" + id;

    internal static uint Checksum(ReadOnlySpan<char> text)
    {
        // Every character was checked to be ASCII (or the checksum is about to fail anyway): narrow to bytes.
        Span<byte> bytes = text.Length <= 256 ? stackalloc byte[text.Length] : new byte[text.Length];
        for (var i = 0; i < text.Length; i++) bytes[i] = (byte)text[i];
        return Crc32.HashToUInt32(bytes);
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PrefixPattern();
}
