using System.Text;
using System.Text.Json;
using Sightline.Redaction.Paths;

namespace Sightline.Redaction;

/// <summary>A node selected by a JSONPath query: its value and its location in the document.</summary>
public sealed class JsonPathNode
{
    private readonly PathLink? _location;
    private string? _normalizedPath;

    internal JsonPathNode(JsonElement value, PathLink? location)
    {
        Value = value;
        _location = location;
    }

    /// <summary>The selected value.</summary>
    public JsonElement Value { get; }

    internal PathLink? Link => _location;

    /// <summary>The node's location as a Normalized Path (RFC 9535 §2.7), e.g. <c>$['users'][0]['email']</c>.</summary>
    public string NormalizedPath => _normalizedPath ??= BuildNormalizedPath();

    /// <summary>The node's location as a list of member names (<see cref="string"/>) and array indices (<see cref="int"/>), outermost first.</summary>
    public IReadOnlyList<object> Location
    {
        get
        {
            var parts = new List<object>();
            for (var link = _location; link is not null; link = link.Parent)
                parts.Add(link.Name is null ? link.Index : link.Name);
            parts.Reverse();
            return parts;
        }
    }

    private string BuildNormalizedPath()
    {
        var parts = new List<PathLink>();
        for (var link = _location; link is not null; link = link.Parent) parts.Add(link);
        var sb = new StringBuilder("$");
        for (var i = parts.Count - 1; i >= 0; i--)
        {
            var part = parts[i];
            if (part.Name is null)
            {
                sb.Append('[').Append(part.Index).Append(']');
                continue;
            }
            sb.Append("['");
            foreach (var c in part.Name)
            {
                switch (c)
                {
                    case '\b': sb.Append("\\b"); break;
                    case '\f': sb.Append("\\f"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    case '\'': sb.Append("\\'"); break;
                    case '\\': sb.Append("\\\\"); break;
                    default:
                        if (c < 0x20) sb.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append("']");
        }
        return sb.ToString();
    }
}
