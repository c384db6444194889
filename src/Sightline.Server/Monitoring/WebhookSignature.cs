using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Sightline.Server.Monitoring;

/// <summary>
/// Signs webhook bodies so receivers can verify them: <c>X-Sightline-Signature: sha256=&lt;hex&gt;</c> where
/// hex is HMAC-SHA256(secret, "&lt;X-Sightline-Timestamp&gt;.&lt;raw body&gt;") in lower case. Receivers
/// recompute it over the raw bytes, compare in constant time and reject old timestamps (replay).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The header carrying the signature.</summary>
    public const string SignatureHeader = "X-Sightline-Signature";

    /// <summary>The header carrying the Unix time (seconds) that is part of the signed text.</summary>
    public const string TimestampHeader = "X-Sightline-Timestamp";

    /// <summary>Computes the header value (<c>sha256=…</c>) for a body sent at <paramref name="unixSeconds"/>.</summary>
    public static string Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>Verifies a received signature in constant time.</summary>
    public static bool Verify(string secret, string? timestamp, string? signature, ReadOnlySpan<byte> body)
    {
        if (signature is null || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ts)) return false;
        var expected = Encoding.ASCII.GetBytes(Compute(secret, ts, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature));
    }
}
