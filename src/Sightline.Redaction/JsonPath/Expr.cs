using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>Declared types of filter expressions (RFC 9535 §2.4.1).</summary>
internal enum ExprType { Value, Logical, Nodes }

/// <summary>A node of a filter expression.</summary>
internal abstract class Expr
{
    public abstract ExprType Type { get; }

    /// <summary>Where the expression starts in the query text (for error messages).</summary>
    public int Position { get; set; }

    /// <summary>Value of an expression usable where a ValueType is expected (literal, singular query, value function).</summary>
    public static FilterValue ValueOf(Expr expr, JsonElement current, FilterContext context) => expr switch
    {
        LiteralExpr literal => literal.Value,
        QueryExpr query => query.EvaluateSingle(current, context),
        FunctionExpr function => function.EvaluateValue(current, context),
        _ => FilterValue.Nothing,
    };

    /// <summary>Truth of an expression usable as a test (logical expression, existence of nodes).</summary>
    public static bool TruthOf(Expr expr, JsonElement current, FilterContext context) => expr switch
    {
        LogicalExpr logical => logical.Test(current, context),
        QueryExpr query => query.Evaluate(current, context).Count > 0,
        FunctionExpr function => function.EvaluateLogical(current, context),
        _ => false,
    };
}

/// <summary>An expression of LogicalType.</summary>
internal abstract class LogicalExpr : Expr
{
    public override ExprType Type => ExprType.Logical;
    public abstract bool Test(JsonElement current, FilterContext context);
}
