namespace Sightline.Redaction;

/// <summary>
/// Thrown when a JSONPath expression is not valid RFC 9535 syntax or is not well-typed
/// (RFC 9535 §2.4.3). The message names the expression, the zero-based position and what was expected.
/// </summary>
public sealed class JsonPathException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public JsonPathException(string expression, int position, string problem)
        : base($"Invalid JSONPath '{expression}' at position {position}: {problem}.")
    {
        Expression = expression;
        Position = position;
        Problem = problem;
    }

    /// <summary>The expression that failed to parse.</summary>
    public string Expression { get; }

    /// <summary>Zero-based character position of the problem in <see cref="Expression"/>.</summary>
    public int Position { get; }

    /// <summary>What was wrong, without the expression and position.</summary>
    public string Problem { get; }
}
