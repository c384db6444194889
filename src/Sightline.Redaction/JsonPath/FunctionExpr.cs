using System.Text.Json;

namespace Sightline.Redaction.Paths;

/// <summary>A call of one of the RFC 9535 §2.4 function extensions: length, count, match, search, value.</summary>
internal sealed class FunctionExpr(string name, Expr[] arguments) : Expr
{
    public string Name { get; } = name;
    public Expr[] Arguments { get; } = arguments;

    public override ExprType Type => ResultType(Name);

    public static ExprType ResultType(string name) => name is "match" or "search" ? ExprType.Logical : ExprType.Value;

    /// <summary>Declared parameter types, or null for an unknown function.</summary>
    public static ExprType[]? ParameterTypes(string name) => name switch
    {
        "length" => [ExprType.Value],
        "count" => [ExprType.Nodes],
        "match" or "search" => [ExprType.Value, ExprType.Value],
        "value" => [ExprType.Nodes],
        _ => null,
    };

    public FilterValue EvaluateValue(JsonElement current, FilterContext context)
    {
        switch (Name)
        {
            case "length":
                var v = ValueOf(Arguments[0], current, context);
                if (v.Kind != FilterValue.ElementKind) return FilterValue.Nothing;
                return v.Element.ValueKind switch
                {
                    JsonValueKind.String => FilterValue.Of(CountScalars(v.Element.GetString()!)),
                    JsonValueKind.Array => FilterValue.Of(v.Element.GetArrayLength()),
                    JsonValueKind.Object => FilterValue.Of(CountMembers(v.Element)),
                    _ => FilterValue.Nothing,
                };
            case "count":
                return FilterValue.Of(((QueryExpr)Arguments[0]).Evaluate(current, context).Count);
            case "value":
                var nodes = ((QueryExpr)Arguments[0]).Evaluate(current, context);
                return nodes.Count == 1 ? FilterValue.Of(nodes[0].Value) : FilterValue.Nothing;
            default:
                return FilterValue.Nothing;
        }
    }

    public bool EvaluateLogical(JsonElement current, FilterContext context)
    {
        var input = ValueOf(Arguments[0], current, context);
        var pattern = ValueOf(Arguments[1], current, context);
        if (!input.TryGetString(out var text) || !pattern.TryGetString(out var regex)) return false;
        var compiled = IRegexp.Get(regex, fullMatch: Name == "match");
        return compiled is not null && compiled.IsMatch(text);
    }

    private static int CountScalars(string s)
    {
        var n = 0;
        foreach (var _ in s.EnumerateRunes()) n++;
        return n;
    }

    private static int CountMembers(JsonElement element)
    {
        var n = 0;
        foreach (var _ in element.EnumerateObject()) n++;
        return n;
    }
}
