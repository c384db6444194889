using System.Security.Cryptography;
using System.Text;

namespace Sightline.Server.Security;

/// <summary>
/// Project ingest keys: <c>sl_ingest_&lt;id:12&gt;_&lt;secret:32&gt;</c>, base62 from a CSPRNG (190 bits of secret).
/// Only the SHA-256 of the whole key is stored; comparison is constant-time.
/// </summary>
internal static class IngestKeys
{
    private const string Prefix = "sl_ingest_";
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static (string Key, string KeyId, byte[] Hash) Generate()
    {
        var id = Random(12);
        var key = $"{Prefix}{id}_{Random(32)}";
        return (key, id, Hash(key));
    }

    /// <summary>Extracts the key id of a well-formed key; false for anything else (no lookup is made).</summary>
    public static bool TryParse(string? presented, out string keyId)
    {
        keyId = "";
        if (presented is null || presented.Length != Prefix.Length + 12 + 1 + 32 || !presented.StartsWith(Prefix, StringComparison.Ordinal)
            || presented[Prefix.Length + 12] != '_')
            return false;
        foreach (var c in presented.AsSpan(Prefix.Length))
            if (c != '_' && !char.IsAsciiLetterOrDigit(c)) return false;
        keyId = presented.Substring(Prefix.Length, 12);
        return true;
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool Matches(string presented, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);

    public static string DisplayPrefix(string keyId) => Prefix + keyId;

    private static string Random(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++) chars[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return new string(chars);
    }
}
