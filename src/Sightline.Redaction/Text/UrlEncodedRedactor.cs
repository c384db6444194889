using System.Collections.Frozen;
using System.Text;

namespace Sightline.Redaction.Text;

/// <summary>Redacts values of <c>name=value&amp;…</c> pairs by name, keeping order and everything else as sent.</summary>
internal static class UrlEncodedRedactor
{
    private static readonly string s_encodedReplacement = Uri.EscapeDataString(RedactionDefaults.RedactedValue);

    public static FrozenSet<string> CreateSet(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in names)
            if (!string.IsNullOrWhiteSpace(name)) set.Add(name.Trim());
        return set.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    public static string Redact(string text, FrozenSet<string> names)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (names.Count == 0 || text.Length == 0) return text;
        StringBuilder? sb = null;
        var start = text.Length > 0 && text[0] == '?' ? 1 : 0;
        var last = 0;
        while (start <= text.Length)
        {
            var amp = text.IndexOf('&', start);
            var end = amp < 0 ? text.Length : amp;
            var eq = text.IndexOf('=', start, end - start);
            var rawName = text.AsSpan(start, (eq < 0 ? end : eq) - start);
            if (names.Contains(Decode(rawName)))
            {
                sb ??= new StringBuilder(text.Length + 16);
                sb.Append(text, last, start - last).Append(rawName).Append('=').Append(s_encodedReplacement);
                last = end;
            }
            if (amp < 0) break;
            start = amp + 1;
        }
        if (sb is null) return text;
        sb.Append(text, last, text.Length - last);
        return sb.ToString();
    }

    private static string Decode(ReadOnlySpan<char> raw)
    {
        var s = raw.ToString();
        if (s.Contains('+', StringComparison.Ordinal)) s = s.Replace('+', ' ');
        try
        {
            return Uri.UnescapeDataString(s);
        }
        catch (UriFormatException)
        {
            return s;
        }
    }
}
