using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Sightline.Server.Query;

namespace Sightline.Server.Dashboard;

/// <summary>
/// Server-rendered SVG charts: no script (strict CSP), a labelled time axis over the whole range,
/// gridlines, hover values through <c>&lt;title&gt;</c>, bars for volume and lines (with points) for
/// p50/p95/p99. Scaled by the viewBox, so they fit a laptop or a phone; CSS classes only (no inline style).
/// </summary>
internal static class Charts
{
    private const int Width = 640, Height = 220, Left = 72, Right = 8, Bottom = 28, Top = 22;
    private const int PlotHeight = Height - Bottom - Top;
    private const int PlotWidth = Width - Left - Right;

    /// <summary>Requests (bars) with errors (red, in front) per bucket.</summary>
    public static string Traffic(IReadOnlyList<TimePoint> points, TimeSpan bucket, string noun = "requests")
    {
        if (points.Count == 0 || points.All(p => p.Requests == 0)) return Empty("No " + noun + " in this range.");
        var max = Nice(points.Max(p => p.Requests));
        var slot = (double)PlotWidth / points.Count;
        var sb = Open($"{Capitalized(noun)} per {Span(bucket)}");
        Grid(sb, max, n => n.ToString("0.#", CultureInfo.InvariantCulture));
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var x = Left + i * slot;
            var w = Math.Max(1, slot - (slot > 4 ? 1 : 0));
            sb.Append("<g class=\"slot\"><title>").Append(Label(p.Minute, bucket)).Append(" UTC — ")
                .Append(CultureInfo.InvariantCulture, $"{p.Requests:N0} {noun}, {p.Errors:N0} errors</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{x:0.#}\" y=\"{Top}\" width=\"{slot:0.#}\" height=\"{PlotHeight}\"/>");
            if (p.Requests > 0) Bar(sb, "bar", x, w, PlotHeight * p.Requests / max);
            if (p.Errors > 0) Bar(sb, "bar-error", x, w, PlotHeight * p.Errors / max);
            sb.Append("</g>");
        }
        TimeAxis(sb, points.Select(p => p.Minute).ToList(), bucket, slot);
        Legend(sb, (noun, "bar"), ("errors", "bar-error"));
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Error occurrences per bucket.</summary>
    public static string Counts(IReadOnlyList<TimePoint> points, TimeSpan bucket, string noun)
    {
        if (points.Count == 0 || points.All(p => p.Requests == 0)) return Empty("No " + noun + " in this range.");
        var max = Nice(points.Max(p => p.Requests));
        var slot = (double)PlotWidth / points.Count;
        var sb = Open($"{Capitalized(noun)} per {Span(bucket)}");
        Grid(sb, max, n => n.ToString("0.#", CultureInfo.InvariantCulture));
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var x = Left + i * slot;
            sb.Append("<g class=\"slot\"><title>").Append(Label(p.Minute, bucket)).Append(CultureInfo.InvariantCulture, $" UTC — {p.Requests:N0} {noun}</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{x:0.#}\" y=\"{Top}\" width=\"{slot:0.#}\" height=\"{PlotHeight}\"/>");
            if (p.Requests > 0) Bar(sb, "bar-error", x, Math.Max(1, slot - (slot > 4 ? 1 : 0)), PlotHeight * p.Requests / max);
            sb.Append("</g>");
        }
        TimeAxis(sb, points.Select(p => p.Minute).ToList(), bucket, slot);
        return sb.Append("</svg>").ToString();
    }

    /// <summary>p50, p95 and p99 latency per bucket as lines; buckets without traffic are gaps.</summary>
    public static string Latency(IReadOnlyList<TimePoint> points, TimeSpan bucket)
    {
        if (points.Count == 0 || points.All(p => p.Requests == 0)) return Empty("No latency data in this range.");
        var max = Nice(points.Max(p => p.P99Ms));
        var slot = (double)PlotWidth / points.Count;
        var sb = Open("Latency percentiles p50, p95, p99 in milliseconds");
        Grid(sb, max, n => n.ToString(n < 10 ? "0.#" : "0", CultureInfo.InvariantCulture) + " ms");
        Line(sb, points, slot, max, p => p.P50Ms, "p50");
        Line(sb, points, slot, max, p => p.P95Ms, "p95");
        Line(sb, points, slot, max, p => p.P99Ms, "p99");
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            sb.Append("<g class=\"slot\"><title>").Append(Label(p.Minute, bucket)).Append(" UTC — ")
                .Append(p.Requests == 0 ? "no requests" : string.Create(CultureInfo.InvariantCulture, $"p50 {p.P50Ms:0.##} ms, p95 {p.P95Ms:0.##} ms, p99 {p.P99Ms:0.##} ms ({p.Requests:N0} requests)"))
                .Append("</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{Left + i * slot:0.#}\" y=\"{Top}\" width=\"{slot:0.#}\" height=\"{PlotHeight}\"/></g>");
        }
        TimeAxis(sb, points.Select(p => p.Minute).ToList(), bucket, slot);
        Legend(sb, ("p50", "p50"), ("p95", "p95"), ("p99", "p99"));
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Stacked bars per bucket, one colour per series (e.g. refusal reasons), with a legend.</summary>
    public static string Stacked(IReadOnlyList<DateTimeOffset> buckets, IReadOnlyList<(DateTimeOffset Bucket, string Series, long Count)> values, TimeSpan bucket, string noun)
    {
        if (buckets.Count == 0 || values.Count == 0) return Empty("No " + noun + " in this range.");
        var names = values.Select(v => v.Series).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byBucket = values.GroupBy(v => v.Bucket).ToDictionary(g => g.Key, g => g.ToList());
        var max = Nice(byBucket.Values.Max(g => g.Sum(v => v.Count)));
        var slot = (double)PlotWidth / buckets.Count;
        var sb = Open($"{Capitalized(noun)} per {Span(bucket)} by reason");
        Grid(sb, max, n => n.ToString("0.#", CultureInfo.InvariantCulture));
        for (var i = 0; i < buckets.Count; i++)
        {
            var x = Left + i * slot;
            var rows = byBucket.GetValueOrDefault(buckets[i]) ?? [];
            sb.Append("<g class=\"slot\"><title>").Append(Label(buckets[i], bucket)).Append(" UTC — ")
                .Append(rows.Count == 0 ? "none" : Encode(string.Join(", ", rows.Select(r => $"{r.Series}: {r.Count}")))).Append("</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"hover\" x=\"{x:0.#}\" y=\"{Top}\" width=\"{slot:0.#}\" height=\"{PlotHeight}\"/>");
            double stacked = 0;
            foreach (var r in rows.OrderBy(r => names.IndexOf(r.Series)))
            {
                var h = PlotHeight * r.Count / max;
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"s{names.IndexOf(r.Series) % 6}\" x=\"{x:0.#}\" y=\"{Height - Bottom - stacked - h:0.#}\" width=\"{Math.Max(1, slot - (slot > 4 ? 1 : 0)):0.#}\" height=\"{h:0.#}\"/>");
                stacked += h;
            }
            sb.Append("</g>");
        }
        TimeAxis(sb, buckets, bucket, slot);
        Legend(sb, names.Select((n, i) => (n, "s" + (i % 6))).ToArray());
        return sb.Append("</svg>").ToString();
    }

    /// <summary>Horizontal bars for a small breakdown (e.g. requests per status code).</summary>
    public static string Breakdown(IReadOnlyList<(string Label, long Value, string CssClass)> rows, string ariaLabel)
    {
        if (rows.Count == 0) return Empty("Nothing in this range.");
        const int rowHeight = 24, labelWidth = 120, valueWidth = 90;
        var height = rows.Count * rowHeight + 4;
        var max = Math.Max(1, rows.Max(r => r.Value));
        var total = Math.Max(1, rows.Sum(r => r.Value));
        var sb = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg class=\"chart breakdown\" viewBox=\"0 0 {Width} {height}\" role=\"img\" aria-label=\"").Append(Encode(ariaLabel)).Append("\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var (label, value, css) = rows[i];
            var y = 2 + i * rowHeight;
            var w = (Width - labelWidth - valueWidth) * (double)value / max;
            sb.Append("<g><title>").Append(Encode(label)).Append(CultureInfo.InvariantCulture, $" — {value:N0} ({100.0 * value / total:0.#} %)</title>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick big\" x=\"4\" y=\"{y + 16}\">").Append(Encode(label)).Append("</text>");
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"{css}\" x=\"{labelWidth}\" y=\"{y + 3}\" width=\"{Math.Max(1, w):0.#}\" height=\"{rowHeight - 6}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick big\" x=\"{labelWidth + Math.Max(1, w) + 6:0.#}\" y=\"{y + 16}\">{value:N0} ({100.0 * value / total:0.#} %)</text></g>");
        }
        return sb.Append("</svg>").ToString();
    }

    private static string Empty(string message) => "<p class=\"muted empty\">" + Encode(message) + "</p>";

    private static StringBuilder Open(string ariaLabel)
        => new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg class=\"chart\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"").Append(Encode(ariaLabel)).Append("\">");

    private static void Bar(StringBuilder sb, string css, double x, double w, double h)
        => sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"{css}\" x=\"{x:0.#}\" y=\"{Height - Bottom - Math.Max(1, h):0.#}\" width=\"{w:0.#}\" height=\"{Math.Max(1, h):0.#}\"/>");

    private static void Line(StringBuilder sb, IReadOnlyList<TimePoint> points, double slot, double max, Func<TimePoint, double> value, string css)
    {
        sb.Append("<polyline class=\"line ").Append(css).Append("\" points=\"");
        var dots = new StringBuilder();
        for (var i = 0; i < points.Count; i++)
        {
            if (points[i].Requests == 0) continue;
            var x = Left + i * slot + slot / 2;
            var y = Height - Bottom - PlotHeight * value(points[i]) / max;
            sb.Append(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#} ");
            dots.Append(CultureInfo.InvariantCulture, $"<circle class=\"dot {css}\" cx=\"{x:0.#}\" cy=\"{y:0.#}\" r=\"2.5\"/>");
        }
        sb.Append("\"/>").Append(dots);
    }

    private static void Grid(StringBuilder sb, double max, Func<double, string> format)
    {
        for (var i = 0; i <= 4; i++)
        {
            var y = Height - Bottom - PlotHeight * i / 4.0;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"{(i == 0 ? "axis" : "grid")}\" x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{Width - Right}\" y2=\"{y:0.#}\"/>");
            if (i % 2 == 0) sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">").Append(Encode(format(max * i / 4.0))).Append("</text>");
        }
    }

    private static void TimeAxis(StringBuilder sb, IReadOnlyList<DateTimeOffset> buckets, TimeSpan bucket, double slot)
    {
        var step = Math.Max(1, (int)Math.Ceiling(buckets.Count / 5.0));
        for (var i = 0; i < buckets.Count; i += step)
        {
            var x = Left + i * slot;
            sb.Append(CultureInfo.InvariantCulture, $"<line class=\"axis\" x1=\"{x:0.#}\" y1=\"{Height - Bottom}\" x2=\"{x:0.#}\" y2=\"{Height - Bottom + 4}\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick\" x=\"{x:0.#}\" y=\"{Height - 9}\">").Append(Label(buckets[i], bucket)).Append("</text>");
        }
    }

    private static void Legend(StringBuilder sb, params (string Label, string Css)[] items)
    {
        double x = Left + 6;
        foreach (var (label, css) in items)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"{css} swatch\" x=\"{x:0.#}\" y=\"4\" width=\"11\" height=\"11\"/>");
            sb.Append(CultureInfo.InvariantCulture, $"<text class=\"tick legend\" x=\"{x + 14:0.#}\" y=\"14\">").Append(Encode(label)).Append("</text>");
            x += 30 + 10 * Math.Min(label.Length, 24);
        }
    }

    private static string Label(DateTimeOffset t, TimeSpan bucket)
        => t.UtcDateTime.ToString(bucket >= TimeSpan.FromHours(1) ? "MM-dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture);

    private static string Span(TimeSpan bucket)
        => bucket >= TimeSpan.FromHours(1) ? $"{bucket.TotalHours:0} h" : bucket == TimeSpan.FromMinutes(1) ? "minute" : $"{bucket.TotalMinutes:0} min";

    private static string Capitalized(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    /// <summary>A round maximum for the y axis (1, 2, 2.5 or 5 times a power of ten) so gridlines fall on readable values.</summary>
    private static double Nice(double max)
    {
        if (max <= 0) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var m in new[] { 1, 2, 2.5, 5, 10 })
            if (m * power >= max) return m * power;
        return 10 * power;
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
