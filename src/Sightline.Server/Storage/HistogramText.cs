using System.Globalization;
using System.Text;

namespace Sightline.Server.Storage;

/// <summary>Histogram counts stored as comma-separated text (fixed wire v1 buckets), merged by addition.</summary>
internal static class HistogramText
{
    public static long[] Parse(string text, int length)
    {
        // Hand-rolled over the span (no Split, no substrings): the overview parses one histogram per rollup row.
        var counts = new long[length];
        var i = 0;
        long value = 0;
        var digits = false;
        foreach (var c in text.AsSpan())
        {
            if (c == ',')
            {
                if (digits && i < length) counts[i++] = value;
                value = 0;
                digits = false;
            }
            else if (char.IsAsciiDigit(c))
            {
                value = checked(value * 10 + (c - '0'));
                digits = true;
            }
            else
            {
                throw new FormatException("A stored histogram is not a list of counts.");
            }
        }
        if (digits && i < length) counts[i] = value;
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
