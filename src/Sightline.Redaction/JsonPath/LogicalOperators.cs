using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary><c>a || b</c>.</summary>
internal sealed class OrExpr(Expr left, Expr right) : LogicalExpr
{
    public override bool Test(JsonElement current, FilterContext context)
        => TruthOf(left, current, context) || TruthOf(right, current, context);
}

/// <summary><c>a &amp;&amp; b</c>.</summary>
internal sealed class AndExpr(Expr left, Expr right) : LogicalExpr
{
    public override bool Test(JsonElement current, FilterContext context)
        => TruthOf(left, current, context) && TruthOf(right, current, context);
}

/// <summary><c>!a</c>.</summary>
internal sealed class NotExpr(Expr operand) : LogicalExpr
{
    public override bool Test(JsonElement current, FilterContext context) => !TruthOf(operand, current, context);
}

/// <summary>A test expression: existence of a query's nodes or a LogicalType/NodesType function.</summary>
internal sealed class TestExpr(Expr operand) : LogicalExpr
{
    public override bool Test(JsonElement current, FilterContext context) => TruthOf(operand, current, context);
}
