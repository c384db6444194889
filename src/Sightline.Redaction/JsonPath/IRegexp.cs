using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace Sightline.Redaction.Paths;

/// <summary>
/// Validates an I-Regexp (RFC 9485) and translates it to an equivalent .NET regular expression:
/// <c>.</c> matches any Unicode scalar value except LF and CR (RFC 9485 §5.3), <c>^</c> and <c>$</c> are
/// anchors at the start and end of the input, groups never capture. Invalid patterns yield null (the function returns false).
/// </summary>
internal static class IRegexp
{
    private const string AnyScalar = @"(?:[^\n\r\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])";
    private static readonly ConcurrentDictionary<(string, bool), Regex?> s_cache = new();

    public static Regex? Get(string pattern, bool fullMatch)
    {
        if (s_cache.Count > 1024) s_cache.Clear();
        return s_cache.GetOrAdd((pattern, fullMatch), static key =>
        {
            var translated = Translate(key.Item1);
            if (translated is null) return null;
            var text = key.Item2 ? $@"\A(?:{translated})\z" : translated;
            try
            {
                return new Regex(text, RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException)
            {
                return null;
            }
        });
    }

    internal static string? Translate(string pattern)
    {
        var sb = new StringBuilder(pattern.Length + 16);
        var i = 0;
        var depth = 0;
        var canQuantify = false;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            switch (c)
            {
                case '.':
                    sb.Append(AnyScalar); i++; canQuantify = true; break;
                case '(':
                    sb.Append("(?:"); depth++; i++; canQuantify = false; break;
                case ')':
                    if (depth == 0) return null;
                    sb.Append(')'); depth--; i++; canQuantify = true; break;
                case '|':
                    sb.Append('|'); i++; canQuantify = false; break;
                case '*' or '+' or '?':
                    if (!canQuantify) return null;
                    sb.Append(c); i++; canQuantify = false; break;
                case '{':
                    if (!canQuantify) return null;
                    var close = pattern.IndexOf('}', i);
                    if (close < 0 || !IsRange(pattern.AsSpan(i + 1, close - i - 1))) return null;
                    sb.Append(pattern, i, close - i + 1); i = close + 1; canQuantify = false; break;
                case '}' or ']':
                    return null;
                case '[':
                    var end = TranslateClass(pattern, i, sb);
                    if (end < 0) return null;
                    i = end; canQuantify = true; break;
                case '\\':
                    var next = TranslateEscape(pattern, i, sb);
                    if (next < 0) return null;
                    i = next; canQuantify = true; break;
                case '$':
                    // The compliance suite treats '^' and '$' as anchors (as most I-Regexp engines do);
                    // '$' must not match before a final newline, so it becomes \z-like (?!.|\n).
                    sb.Append(@"(?![\s\S])"); i++; canQuantify = false; break;
                case '^':
                    sb.Append(@"(?<![\s\S])"); i++; canQuantify = false; break;
                default:
                    sb.Append(c); i++; canQuantify = true; break;
            }
        }
        return depth == 0 ? sb.ToString() : null;
    }

    private static bool IsRange(ReadOnlySpan<char> body)
    {
        var comma = body.IndexOf(',');
        var min = comma < 0 ? body : body[..comma];
        if (min.IsEmpty || !IsDigits(min)) return false;
        if (comma < 0) return true;
        var max = body[(comma + 1)..];
        return max.IsEmpty || IsDigits(max);
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (c is < '0' or > '9') return false;
        return true;
    }

    // Returns the index after the escape, or -1 when it is not an I-Regexp escape.
    private static int TranslateEscape(string pattern, int i, StringBuilder sb)
    {
        if (i + 1 >= pattern.Length) return -1;
        var e = pattern[i + 1];
        switch (e)
        {
            case '(' or ')' or '*' or '+' or '.' or '?' or '[' or '\\' or ']' or '^' or '{' or '|' or '}' or '-' or '$':
                sb.Append('\\').Append(e); return i + 2;
            case 'n': sb.Append("\\n"); return i + 2;
            case 'r': sb.Append("\\r"); return i + 2;
            case 't': sb.Append("\\t"); return i + 2;
            case 'p' or 'P':
                if (i + 2 >= pattern.Length || pattern[i + 2] != '{') return -1;
                var close = pattern.IndexOf('}', i + 3);
                if (close < 0 || close == i + 3) return -1;
                sb.Append(pattern, i, close - i + 1);
                return close + 1;
            default:
                return -1;
        }
    }

    private static int TranslateClass(string pattern, int start, StringBuilder sb)
    {
        var i = start + 1;
        sb.Append('[');
        if (i < pattern.Length && pattern[i] == '^') { sb.Append('^'); i++; }
        var first = true;
        while (i < pattern.Length)
        {
            var c = pattern[i];
            if (c == ']')
            {
                if (first) return -1;
                sb.Append(']');
                return i + 1;
            }
            if (c == '\\')
            {
                var next = TranslateEscape(pattern, i, sb);
                if (next < 0) return -1;
                i = next;
            }
            else if (c == '[')
            {
                return -1;
            }
            else
            {
                if (c == '^') sb.Append('\\');
                sb.Append(c);
                i++;
            }
            first = false;
        }
        return -1;
    }
}
