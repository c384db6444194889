using System.Globalization;
using Sightline.Server.Query;

namespace Sightline.Server.Storage;

/// <summary>The request-log cursor: <c>&lt;timestamp ms&gt;_&lt;id&gt;</c> of the last row of a page (same format in every store).</summary>
internal static class RequestCursor
{
    public static string Encode(RequestSummary last)
        => $"{last.Timestamp.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}_{last.Id}";

    /// <summary>Null for no cursor; <see cref="FormatException"/> for one this server did not issue.</summary>
    public static (long Ts, Guid Id)? Decode(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        var parts = cursor.Split('_');
        return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ts) && Guid.TryParse(parts[1], out var id)
            ? (ts, id) : throw new FormatException("The cursor is not one this server returned.");
    }
}
