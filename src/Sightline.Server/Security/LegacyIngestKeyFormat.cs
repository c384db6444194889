namespace Sightline.Server.Security;

/// <summary>
/// The shape of ingest keys issued before they moved to Sightline.ApiKeys: <c>sl_ingest_&lt;id:12&gt;_&lt;secret:32&gt;</c>
/// (base62, no checksum; 55 characters). New keys are never issued in it; SDKs configured with one keep working until
/// the key is rotated or revoked. Distinct from the ApiKeys format (<c>sl_ingest_&lt;id:12&gt;_&lt;secret:24&gt;&lt;crc:6&gt;</c>,
/// 53 characters) by its length.
/// </summary>
internal static class LegacyIngestKeyFormat
{
    public const string Prefix = "sl_ingest_";
    public const int IdLength = 12;
    public const int SecretLength = 32;
    public const int KeyLength = 10 + IdLength + 1 + SecretLength;

    /// <summary>The key id of a key of the legacy shape; false for anything else (no lookup is made).</summary>
    public static bool TryParse(ReadOnlySpan<char> presented, out ReadOnlySpan<char> keyId)
    {
        keyId = default;
        if (presented.Length != KeyLength || !presented.StartsWith(Prefix, StringComparison.Ordinal) || presented[Prefix.Length + IdLength] != '_')
            return false;
        var rest = presented[Prefix.Length..];
        for (var i = 0; i < rest.Length; i++)
        {
            if (i != IdLength && !char.IsAsciiLetterOrDigit(rest[i])) return false;
        }
        keyId = rest[..IdLength];
        return true;
    }
}
