using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace Sightline.Server.Dashboard;

/// <summary>
/// Minimal HTML writer for the server-rendered dashboard. Every dynamic value goes through
/// <see cref="HtmlEncoder"/> (captured data is attacker-controlled); raw markup is only ever our own literals.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _sb = new();

    public Html Raw(string markup)
    {
        _sb.Append(markup);
        return this;
    }

    /// <summary>Our own markup with numbers formatted in <paramref name="provider"/>; never pass captured values through here.</summary>
    public Html Raw(IFormatProvider provider, [System.Runtime.CompilerServices.InterpolatedStringHandlerArgument(nameof(provider))] ref System.Runtime.CompilerServices.DefaultInterpolatedStringHandler markup)
    {
        _ = provider;
        _sb.Append(markup.ToStringAndClear());
        return this;
    }

    public Html Text(string? value)
    {
        _sb.Append(HtmlEncoder.Default.Encode(value ?? ""));
        return this;
    }

    public Html Text(double value, string format = "0.##") => Text(value.ToString(format, CultureInfo.InvariantCulture));

    public Html Tag(string tag, string? text, string? cssClass = null)
    {
        _sb.Append('<').Append(tag);
        if (cssClass is not null) _sb.Append(" class=\"").Append(cssClass).Append('"');
        _sb.Append('>');
        Text(text);
        _sb.Append("</").Append(tag).Append('>');
        return this;
    }

    public Html Link(string href, string? text)
    {
        _sb.Append("<a href=\"").Append(HtmlEncoder.Default.Encode(href)).Append("\">");
        Text(text);
        _sb.Append("</a>");
        return this;
    }

    public override string ToString() => _sb.ToString();

    public static string Attr(string? value) => HtmlEncoder.Default.Encode(value ?? "");
}
