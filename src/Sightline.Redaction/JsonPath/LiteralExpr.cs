namespace Sightline.Redaction.Paths;

/// <summary>A literal: number, string, true, false or null.</summary>
internal sealed class LiteralExpr(FilterValue value) : Expr
{
    public FilterValue Value { get; } = value;
    public override ExprType Type => ExprType.Value;
}
