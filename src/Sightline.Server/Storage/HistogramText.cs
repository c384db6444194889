using System.Globalization;
using System.Text;

namespace Sightline.Server.Storage;

/// <summary>Histogram counts stored as comma-separated text (fixed wire v1 buckets), merged by addition.</summary>
internal static class HistogramText
{
    public static long[] Parse(string text, int length)
    {
        var counts = new long[length];
        var i = 0;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            if (i >= length) break;
            counts[i++] = long.Parse(part, CultureInfo.InvariantCulture);
        }
        return counts;
    }

    public static string Format(ReadOnlySpan<long> counts)
    {
        var sb = new StringBuilder(counts.Length * 3);
        for (var i = 0; i < counts.Length; i++)
        {
            if (i > 0) sb.Append(',');
            sb.Append(counts[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.ToString();
    }

    public static void AddInto(long[] target, ReadOnlySpan<long> source)
    {
        for (var i = 0; i < target.Length && i < source.Length; i++) target[i] += source[i];
    }
}
