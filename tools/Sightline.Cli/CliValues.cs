using System.Globalization;
using Sightline.ApiKeys;

namespace Sightline.Cli;

/// <summary>Parses the tool's value syntaxes: durations (<c>90s</c>, <c>15m</c>, <c>24h</c>, <c>30d</c>), times and rate limits (<c>100/1m</c>).</summary>
internal static class CliValues
{
    public static TimeSpan Duration(string text)
    {
        text = text.Trim();
        if (text.Length >= 2 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            switch (text[^1])
            {
                case 's': return TimeSpan.FromSeconds(n);
                case 'm': return TimeSpan.FromMinutes(n);
                case 'h': return TimeSpan.FromHours(n);
                case 'd': return TimeSpan.FromDays(n);
            }
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new FormatException($"'{text}' is not a duration; use e.g. 90s, 15m, 24h, 30d or 1.00:00:00.");
    }

    /// <summary>An absolute ISO 8601 time, or a duration from <paramref name="now"/>.</summary>
    public static DateTimeOffset Time(string text, DateTimeOffset now)
    {
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)) return time.ToUniversalTime();
        try { return now + Duration(text); }
        catch (FormatException) { throw new FormatException($"'{text}' is neither a time (e.g. 2027-01-31T00:00:00Z) nor a duration from now (e.g. 90d)."); }
    }

    public static ApiKeyRateLimit RateLimit(string text)
    {
        var slash = text.IndexOf('/');
        if (slash <= 0 || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out var permits))
            throw new FormatException($"'{text}' is not a rate limit; use <requests>/<window>, e.g. 100/1m.");
        var limit = new ApiKeyRateLimit(permits, Duration(text[(slash + 1)..]));
        limit.Validate();
        return limit;
    }
}
