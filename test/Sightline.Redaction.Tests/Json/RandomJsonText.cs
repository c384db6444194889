using System.Text;

namespace Sightline.Redaction.Tests.Json;

/// <summary>
/// Random JSON text with the variety a serializer never produces: whitespace everywhere, escaped
/// names and strings, every number shape, non-ASCII text.
/// </summary>
internal static class RandomJsonText
{
    private static readonly string[] s_numbers = ["0", "-0", "12", "3.5", "-1e3", "2E+2", "1.25e-2", "123456789012345678901234567890", "7"];
    private static readonly string[] s_strings = ["\"s\"", "\"\"", "\"a\\\"b\"", "\"\\u00e9\"", "\"ü\"", "\"x\\ny\"", "\"\\/\"", "\"a long string value that is longer than one vector of bytes, to cross blocks\"", "\"\\uD83D\\uDE00\""];
    private static readonly string[] s_names = ["\"a\"", "\"b\"", "\"email\"", "\"\\u0065mail\"", "\"zip\"", "\"z\\u0069p\"", "\"x y\"", "\"é\"", "\"\\u00e9\"", "\"c\""];
    private static readonly string[] s_whitespace = ["", "", "", " ", "\n  ", "\t", "\r\n"];

    public static string Create(Random random)
    {
        var sb = new StringBuilder();
        Whitespace(sb, random);
        Value(sb, random, 0);
        Whitespace(sb, random);
        return sb.ToString();
    }

    private static void Value(StringBuilder sb, Random random, int depth)
    {
        switch (depth > 4 ? random.Next(4) : random.Next(8))
        {
            case 0:
                sb.Append(s_numbers[random.Next(s_numbers.Length)]);
                break;
            case 1:
                sb.Append(s_strings[random.Next(s_strings.Length)]);
                break;
            case 2:
                sb.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 3:
                sb.Append(random.Next(2) == 0 ? "\"v" + random.Next(100) + "\"" : random.Next(1000).ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case 4 or 5 or 6:
                sb.Append('{');
                var members = random.Next(0, 5);
                for (var i = 0; i < members; i++)
                {
                    if (i > 0) sb.Append(',');
                    Whitespace(sb, random);
                    sb.Append(s_names[random.Next(s_names.Length)]);
                    Whitespace(sb, random);
                    sb.Append(':');
                    Whitespace(sb, random);
                    Value(sb, random, depth + 1);
                    Whitespace(sb, random);
                }
                if (members == 0) Whitespace(sb, random);
                sb.Append('}');
                break;
            default:
                sb.Append('[');
                var elements = random.Next(0, 6);
                for (var i = 0; i < elements; i++)
                {
                    if (i > 0) sb.Append(',');
                    Whitespace(sb, random);
                    Value(sb, random, depth + 1);
                    Whitespace(sb, random);
                }
                if (elements == 0) Whitespace(sb, random);
                sb.Append(']');
                break;
        }
    }

    private static void Whitespace(StringBuilder sb, Random random) => sb.Append(s_whitespace[random.Next(s_whitespace.Length)]);
}
