namespace Sightline.ApiKeys.Internal;

/// <summary>The base62 alphabet (<c>0-9A-Za-z</c>): URL-safe, double-click selectable, no padding.</summary>
internal static class Base62
{
    public const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static bool IsDigit(char c) => char.IsAsciiDigit(c) || char.IsAsciiLetter(c);

    /// <summary>Writes <paramref name="value"/> as exactly <paramref name="destination"/>.Length digits, most significant first.</summary>
    public static void EncodeFixed(uint value, Span<char> destination)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Alphabet[(int)(value % 62)];
            value /= 62;
        }
    }
}
