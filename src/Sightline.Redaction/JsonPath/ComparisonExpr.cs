using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>A comparison between two comparables (RFC 9535 §2.3.5.2.2).</summary>
internal sealed class ComparisonExpr(Expr left, string op, Expr right) : LogicalExpr
{
    public override bool Test(JsonElement current, FilterContext context)
    {
        var a = ValueOf(left, current, context);
        var b = ValueOf(right, current, context);
        return op switch
        {
            "==" => AreEqual(a, b),
            "!=" => !AreEqual(a, b),
            "<" => IsLess(a, b),
            "<=" => IsLess(a, b) || AreEqual(a, b),
            ">" => IsLess(b, a),
            ">=" => IsLess(b, a) || AreEqual(a, b),
            _ => false,
        };
    }

    private static bool AreEqual(in FilterValue a, in FilterValue b)
    {
        if (a.IsNothing || b.IsNothing) return a.IsNothing && b.IsNothing;
        if (a.TryGetNumber(out var x) && b.TryGetNumber(out var y)) return x == y;
        if (a.Kind != FilterValue.ElementKind || b.Kind != FilterValue.ElementKind) return false;
        return DeepEquals(a.Element, b.Element);
    }

    private static bool IsLess(in FilterValue a, in FilterValue b)
    {
        if (a.TryGetNumber(out var x) && b.TryGetNumber(out var y)) return x < y;
        if (a.TryGetString(out var s) && b.TryGetString(out var t)) return CompareScalars(s, t) < 0;
        return false;
    }

    // Unicode scalar value order, not UTF-16 code unit order.
    private static int CompareScalars(string s, string t)
    {
        var e1 = s.EnumerateRunes();
        var e2 = t.EnumerateRunes();
        while (true)
        {
            var m1 = e1.MoveNext();
            var m2 = e2.MoveNext();
            if (!m1 || !m2) return m1 == m2 ? 0 : m1 ? 1 : -1;
            var c = e1.Current.Value.CompareTo(e2.Current.Value);
            if (c != 0) return c;
        }
    }

    internal static bool DeepEquals(JsonElement a, JsonElement b)
    {
        var kind = a.ValueKind;
        if (kind == JsonValueKind.True || kind == JsonValueKind.False || kind == JsonValueKind.Null) return kind == b.ValueKind;
        if (kind != b.ValueKind) return false;
        switch (kind)
        {
            case JsonValueKind.Number:
                return a.GetDouble() == b.GetDouble();
            case JsonValueKind.String:
                return a.ValueEquals(b.GetString());
            case JsonValueKind.Array:
                if (a.GetArrayLength() != b.GetArrayLength()) return false;
                using (var ea = a.EnumerateArray().GetEnumerator())
                using (var eb = b.EnumerateArray().GetEnumerator())
                {
                    while (ea.MoveNext() && eb.MoveNext())
                        if (!DeepEquals(ea.Current, eb.Current)) return false;
                }
                return true;
            case JsonValueKind.Object:
                var count = 0;
                foreach (var property in a.EnumerateObject())
                {
                    count++;
                    if (!b.TryGetProperty(property.Name, out var other) || !DeepEquals(property.Value, other)) return false;
                }
                foreach (var _ in b.EnumerateObject()) count--;
                return count == 0;
            default:
                return false;
        }
    }
}
