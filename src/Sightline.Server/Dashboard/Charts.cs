using System.Globalization;
using System.Text;
using Sightline.Server.Query;

namespace Sightline.Server.Dashboard;

/// <summary>
/// Server-rendered SVG charts: no script (strict CSP), a time axis, hover values through
/// <c>&lt;title&gt;</c>, bars for requests/errors and lines for p50/p95/p99.
/// </summary>
internal static class Charts
{
    private const int Width = 800, Height = 220, Left = 50, Bottom = 30, Top = 10;

    public static string Traffic(IReadOnlyList<TimePoint> points)
    {
        if (points.Count == 0) return "<p class=\"muted\">No traffic in this range yet.</p>";
        var max = Math.Max(1, points.Max(p => p.Requests));
        var slot = (double)(Width - Left) / points.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Requests per minute\">");
        Axis(sb, max, "req/min");
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var h = (Height - Bottom - Top) * p.Requests / (double)max;
            var eh = (Height - Bottom - Top) * p.Errors / (double)max;
            var x = Left + i * slot;
            sb.Append(CultureInfo.InvariantCulture, $"<g><title>{p.Minute:HH:mm} UTC — {p.Requests} requests, {p.Errors} errors</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar\" x=\"{x:0.#}\" y=\"{Height - Bottom - h:0.#}\" width=\"{Math.Max(1, slot - 1):0.#}\" height=\"{h:0.#}\"/>");
            if (eh > 0) sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"bar-error\" x=\"{x:0.#}\" y=\"{Height - Bottom - eh:0.#}\" width=\"{Math.Max(1, slot - 1):0.#}\" height=\"{eh:0.#}\"/>");
            sb.Append("</g>");
        }
        TimeLabels(sb, points, slot);
        sb.Append("</svg>");
        return sb.ToString();
    }

    public static string Latency(IReadOnlyList<TimePoint> points)
    {
        if (points.Count == 0) return "";
        var max = Math.Max(1, points.Max(p => p.P99Ms));
        var slot = (double)(Width - Left) / points.Count;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"Latency percentiles\">");
        Axis(sb, max, "ms");
        Line(sb, points, slot, max, p => p.P50Ms, "p50");
        Line(sb, points, slot, max, p => p.P95Ms, "p95");
        Line(sb, points, slot, max, p => p.P99Ms, "p99");
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{Left + i * slot:0.#}\" y=\"{Top}\" width=\"{slot:0.#}\" height=\"{Height - Bottom - Top}\"><title>{p.Minute:HH:mm} UTC — p50 {p.P50Ms:0.#} ms, p95 {p.P95Ms:0.#} ms, p99 {p.P99Ms:0.#} ms</title></rect>");
        }
        TimeLabels(sb, points, slot);
        sb.Append("<text class=\"legend p50\" x=\"60\" y=\"20\">p50</text><text class=\"legend p95\" x=\"100\" y=\"20\">p95</text><text class=\"legend p99\" x=\"140\" y=\"20\">p99</text>");
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static void Line(StringBuilder sb, IReadOnlyList<TimePoint> points, double slot, double max, Func<TimePoint, double> value, string css)
    {
        sb.Append("<polyline class=\"line ").Append(css).Append("\" points=\"");
        for (var i = 0; i < points.Count; i++)
        {
            var y = Height - Bottom - (Height - Bottom - Top) * value(points[i]) / max;
            sb.Append(CultureInfo.InvariantCulture, $"{Left + i * slot + slot / 2:0.#},{y:0.#} ");
        }
        sb.Append("\"/>");
    }

    private static void Axis(StringBuilder sb, double max, string unit)
    {
        sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{Width}\" y2=\"{Height - Bottom}\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"2\" y=\"{Top + 10}\">{max:0.#}</text><text class=\"tick\" x=\"2\" y=\"{Height - Bottom}\">0 {unit}</text>");
    }

    private static void TimeLabels(StringBuilder sb, IReadOnlyList<TimePoint> points, double slot)
    {
        var step = Math.Max(1, points.Count / 6);
        for (var i = 0; i < points.Count; i += step)
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left + i * slot:0.#}\" y=\"{Height - 10}\">{points[i].Minute:HH:mm}</text>");
    }
}
